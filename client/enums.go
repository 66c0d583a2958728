package client

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// WorkItemState is the state of a work item, sent by name (§2.5, §10).
type WorkItemState string

// The work-item states of §10, with their numbers in workItemStateNumbers.
const (
	StateCreated             WorkItemState = "Created"
	StateCommissionRequested WorkItemState = "CommissionRequested"
	StateCommissioned        WorkItemState = "Commissioned"
	StateValidating          WorkItemState = "Validating"
	StateRunning             WorkItemState = "Running"
	StateWaiting             WorkItemState = "Waiting"
	StateResumeRequested     WorkItemState = "ResumeRequested"
	StateCancelRequested     WorkItemState = "CancelRequested"
	StateCanceled            WorkItemState = "Canceled"
	StateResumed             WorkItemState = "Resumed"
	StateCanceling           WorkItemState = "Canceling"
	StateSucceeded           WorkItemState = "Succeeded"
	StateFailed              WorkItemState = "Failed"
)

var workItemStateNumbers = map[WorkItemState]int{
	StateCreated: 0, StateCommissionRequested: 5, StateCommissioned: 10, StateValidating: 30,
	StateRunning: 40, StateWaiting: 50, StateResumeRequested: 60, StateCancelRequested: 80,
	StateCanceled: 90, StateResumed: 100, StateCanceling: 120, StateSucceeded: 130, StateFailed: 140,
}

// WorkItemStates lists every state name in the order of their numbers.
var WorkItemStates = []WorkItemState{
	StateCreated, StateCommissionRequested, StateCommissioned, StateValidating, StateRunning,
	StateWaiting, StateResumeRequested, StateCancelRequested, StateCanceled, StateResumed,
	StateCanceling, StateSucceeded, StateFailed,
}

// Number is the state's number in COMPS (§10), or -1 for a name it does not know.
func (s WorkItemState) Number() int { return enumNumber(workItemStateNumbers, s) }

// enumNumber is a name's number in its enum's table, or -1 for a name the
// table does not know.
func enumNumber[T ~string](table map[T]int, name T) int {
	if n, ok := table[name]; ok {
		return n
	}
	return -1
}

// Valid reports whether s is one of the protocol's state names.
func (s WorkItemState) Valid() bool { _, ok := workItemStateNumbers[s]; return ok }

// Final reports whether the state is one a work item never leaves: Succeeded,
// Failed or Canceled.
func (s WorkItemState) Final() bool {
	return s == StateSucceeded || s == StateFailed || s == StateCanceled
}

// SimulationState is the state of a simulation (§10), sent by name.
type SimulationState string

// The simulation states of §10.
const (
	SimCreated             SimulationState = "Created"
	SimCommissionRequested SimulationState = "CommissionRequested"
	SimProvisioning        SimulationState = "Provisioning"
	SimCommissioned        SimulationState = "Commissioned"
	SimRunning             SimulationState = "Running"
	SimRetry               SimulationState = "Retry"
	SimSucceeded           SimulationState = "Succeeded"
	SimFailed              SimulationState = "Failed"
	SimCancelRequested     SimulationState = "CancelRequested"
	SimCanceled            SimulationState = "Canceled"
)

var simulationStateNumbers = map[SimulationState]int{
	SimCreated: 0, SimCommissionRequested: 1, SimProvisioning: 2, SimCommissioned: 3, SimRunning: 4,
	SimRetry: 5, SimSucceeded: 6, SimFailed: 7, SimCancelRequested: 8, SimCanceled: 9,
}

// SimulationStates lists every simulation state name in the order of their
// numbers.
var SimulationStates = []SimulationState{
	SimCreated, SimCommissionRequested, SimProvisioning, SimCommissioned, SimRunning,
	SimRetry, SimSucceeded, SimFailed, SimCancelRequested, SimCanceled,
}

// Number is the state's number in COMPS (§10), or -1 for an unknown name.
func (s SimulationState) Number() int { return enumNumber(simulationStateNumbers, s) }

// Valid reports whether s is one of the protocol's simulation state names.
func (s SimulationState) Valid() bool { _, ok := simulationStateNumbers[s]; return ok }

// Final reports whether the state is one a simulation never leaves:
// Succeeded, Failed or Canceled.
func (s SimulationState) Final() bool {
	return s == SimSucceeded || s == SimFailed || s == SimCanceled
}

// Priority is a work item's priority (§10), sent by name.
type Priority string

// The priorities of §10.
const (
	PriorityLowest      Priority = "Lowest"
	PriorityBelowNormal Priority = "BelowNormal"
	PriorityNormal      Priority = "Normal"
	PriorityAboveNormal Priority = "AboveNormal"
	PriorityHighest     Priority = "Highest"
)

var priorityNumbers = map[Priority]int{
	PriorityLowest: 0, PriorityBelowNormal: 1, PriorityNormal: 2, PriorityAboveNormal: 3, PriorityHighest: 4,
}

// Number is the priority's number in COMPS (§10), or -1 for an unknown name.
func (p Priority) Number() int { return enumNumber(priorityNumbers, p) }

// RelationType is the kind of a relation between a work item and another
// entity (§3.6).
type RelationType string

// The relation types of §10.
const (
	RelationDependsOn RelationType = "DependsOn"
	RelationCreated   RelationType = "Created"
)

// Number is the relation type's number in COMPS (§10), or -1 for an unknown name.
func (r RelationType) Number() int {
	switch r {
	case RelationDependsOn:
		return 0
	case RelationCreated:
		return 1
	}
	return -1
}

// TagOperationMode says how a tags request changes an entity's tags (§5).
type TagOperationMode string

// The tag operation modes of §5.
const (
	TagsMerge   TagOperationMode = "Merge"
	TagsReplace TagOperationMode = "Replace"
	TagsDelete  TagOperationMode = "Delete"
)

// Kind is an entity class name as used in paths and relation answers
// ("WorkItem", "Simulation", ...).
type Kind string

// The entity kinds of the protocol.
const (
	KindWorkItem        Kind = "WorkItem"
	KindSimulation      Kind = "Simulation"
	KindExperiment      Kind = "Experiment"
	KindSuite           Kind = "Suite"
	KindAssetCollection Kind = "AssetCollection"
)

// Kinds lists every entity kind.
var Kinds = []Kind{KindWorkItem, KindSimulation, KindExperiment, KindSuite, KindAssetCollection}

// Plural is the kind's name with an "s", as in paths and answer envelopes.
func (k Kind) Plural() string { return string(k) + "s" }

// Valid reports whether k is one of the protocol's entity kinds.
func (k Kind) Valid() bool {
	for _, known := range Kinds {
		if k == known {
			return true
		}
	}
	return false
}

// UnmarshalJSON accepts the relation type by name (as the protocol sends
// enums) or by number, in case a server sends the number (§3.6 leaves the
// Related entries' fields unconfirmed); an unknown number is kept as text.
func (r *RelationType) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		*r = RelationType(name)
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("relation type %s: %w", b, err)
	}
	switch n {
	case 0:
		*r = RelationDependsOn
	case 1:
		*r = RelationCreated
	default:
		*r = RelationType(strconv.Itoa(n))
	}
	return nil
}
