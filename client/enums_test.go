package client

import "testing"

// TestEnumNumbers pins the names and numbers of §10.
func TestEnumNumbers(t *testing.T) {
	states := map[WorkItemState]int{"Created": 0, "CommissionRequested": 5, "Commissioned": 10, "Validating": 30,
		"Running": 40, "Waiting": 50, "ResumeRequested": 60, "CancelRequested": 80, "Canceled": 90, "Resumed": 100,
		"Canceling": 120, "Succeeded": 130, "Failed": 140, "Bogus": -1}
	for s, n := range states {
		if got := s.Number(); got != n {
			t.Errorf("%s.Number() = %d, want %d", s, got, n)
		}
	}
	if len(WorkItemStates) != 13 {
		t.Errorf("%d states listed, want 13", len(WorkItemStates))
	}
	for i := 1; i < len(WorkItemStates); i++ {
		if WorkItemStates[i-1].Number() >= WorkItemStates[i].Number() {
			t.Errorf("WorkItemStates not in number order at %s", WorkItemStates[i])
		}
	}
	for s, final := range map[WorkItemState]bool{"Succeeded": true, "Failed": true, "Canceled": true, "Running": false, "CancelRequested": false} {
		if s.Final() != final {
			t.Errorf("%s.Final() = %v", s, !final)
		}
	}
	if SimCanceled.Number() != 9 || SimRetry.Number() != 5 || SimulationState("x").Number() != -1 {
		t.Error("simulation state numbers")
	}
	for i, s := range SimulationStates {
		if s.Number() != i || !s.Valid() {
			t.Errorf("SimulationStates[%d] = %s (number %d, valid %v)", i, s, s.Number(), s.Valid())
		}
	}
	if len(SimulationStates) != 10 || SimulationState("Waiting").Valid() {
		t.Errorf("%d simulation states listed, want 10; Waiting valid", len(SimulationStates))
	}
	for s, final := range map[SimulationState]bool{"Succeeded": true, "Failed": true, "Canceled": true, "Retry": false, "CancelRequested": false} {
		if s.Final() != final {
			t.Errorf("simulation %s.Final() = %v", s, !final)
		}
	}
	if PriorityLowest.Number() != 0 || PriorityHighest.Number() != 4 || Priority("Urgent").Number() != -1 {
		t.Error("priority numbers")
	}
	if RelationDependsOn.Number() != 0 || RelationCreated.Number() != 1 || RelationType("x").Number() != -1 {
		t.Error("relation type numbers")
	}
}
