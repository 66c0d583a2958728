package localcomps

import (
	"context"
	"fmt"
	"time"
)

// demoSuite seeds the demo's suite: a baseline sweep of 50 simulations
// (10 habitat scales × 5 replicates; most Succeeded with outputs, two
// Failed, two still Running) and a smaller experiment of intervention
// scenarios in it. It returns the sweep's id.
func demoSuite(ctx context.Context, s *Server, at func(hoursAgo float64) time.Time) (string, error) {
	suite, err := s.SeedEntity(ctx, kindSuite, SeedEntity{Name: "Malaria calibration — Zambia", Description: "Calibration runs for the Southern Province model",
		Tags: map[string]any{"project": "IDM-Zambia"}, Created: at(100)})
	if err != nil {
		return "", err
	}
	exps, err := s.SeedEntities(ctx, kindExperiment, []SeedEntity{
		{Name: "Baseline transmission sweep", ParentId: suite, Description: "Habitat scale x 5 replicates",
			Tags: map[string]any{"sweep": "x_Temporary_Larval_Habitat"}, Created: at(99)},
		{Name: "Intervention scenarios", ParentId: suite, Description: "Bed net coverage 40-80%",
			Tags: map[string]any{"sweep": "ITN_coverage"}, Created: at(50)},
	})
	if err != nil {
		return "", err
	}
	var sweep []SeedEntity
	for i := range 50 {
		habitat, replicate := float64(i/5+1)/10, i%5+1
		sweep = append(sweep, demoSimulation(fmt.Sprintf("Baseline_habitat_%.1f_rep_%d", habitat, replicate), exps[0],
			demoSimulationState(i), at(98.9-float64(i)*0.01),
			map[string]any{"Run_Number": replicate, "x_Temporary_Larval_Habitat": habitat}))
	}
	if _, err := s.SeedEntities(ctx, kindSimulation, sweep); err != nil {
		return "", err
	}
	var scenarios []SeedEntity
	for i, coverage := range []float64{0.4, 0.6, 0.8} {
		scenarios = append(scenarios, demoSimulation(fmt.Sprintf("ITN_coverage_%.0f%%", coverage*100), exps[1],
			[]string{"Succeeded", "Succeeded", "CommissionRequested"}[i], at(49.9), map[string]any{"ITN_coverage": coverage}))
	}
	if _, err := s.SeedEntities(ctx, kindSimulation, scenarios); err != nil {
		return "", err
	}
	return exps[0], nil
}

// demoSimulationState is the state of the sweep's i-th simulation.
func demoSimulationState(i int) string {
	switch i {
	case 17, 33:
		return "Failed"
	case 48, 49:
		return "Running"
	}
	return "Succeeded"
}

// demoSimulation is one demo simulation with its config.json and, once
// started, outputs as an EMOD run leaves them.
func demoSimulation(name, exp, state string, created time.Time, params map[string]any) SeedEntity {
	sim := SeedEntity{Name: name, ParentId: exp, SimulationState: state, Tags: params, Created: created,
		Files: []SeedFile{{Path: "config.json", FileType: "Config", Data: demoJSON(map[string]any{"parameters": params})}}}
	level := 0.05
	if h, ok := params["x_Temporary_Larval_Habitat"].(float64); ok {
		level = 0.3 * h
	}
	switch state {
	case "Succeeded":
		sim.Outputs = []SeedFile{
			{Path: "StdOut.txt", Data: []byte(demoLog(name, 40))},
			{Path: "output/InsetChart.json", Data: demoJSON(map[string]any{"Header": map[string]any{"Channels": 1, "Timesteps": 365},
				"Channels": map[string]any{"Infected": map[string]any{"Units": "", "Data": demoSeries(365, level)}}})},
			{Path: "output/ReportMalariaFiltered.json", Data: demoJSON(map[string]any{"Channels": map[string]any{"PfHRP2 Prevalence": demoSeries(52, level)}})},
		}
	case "Failed":
		sim.ErrorMessage = "exit status 1"
		sim.Outputs = []SeedFile{{Path: "StdOut.txt", Data: []byte(demoLog(name, 12))},
			{Path: "StdErr.txt", Data: []byte("Exception in Simulation::Update: larval habitat below the minimum\n")}}
	case "Running":
		sim.Outputs = []SeedFile{{Path: "StdOut.txt", Data: []byte(demoLog(name, 20))}}
	}
	return sim
}
