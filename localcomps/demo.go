package localcomps

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Demo fills the store with a believable sample: finished work items with
// nested outputs, a running, a failed and a new one (which runs to
// Succeeded when commissioned: its asset collection has the script its
// command needs), relations between them, asset collections, and a suite
// with two experiments, one a sweep of 50 simulations with outputs
// (demo_simulations.go). It seeds directly, since it
// needs past dates, final states and outputs that no save request can
// give. It does nothing when the store already has work items.
func Demo(ctx context.Context, s *Server) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entities WHERE kind = ?`, kindWorkItem).Scan(&n); err != nil {
		return fmt.Errorf("demo: count work items: %w", err)
	}
	if n > 0 {
		return nil
	}
	now := time.Now().UTC()
	at := func(hoursAgo float64) time.Time { return now.Add(-time.Duration(hoursAgo * float64(time.Hour))) }

	exp, err := demoSuite(ctx, s, at)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ac, err := s.SeedEntity(ctx, kindAssetCollection, SeedEntity{Created: at(70),
		Tags: map[string]any{"type": "singularity", "image_name": "dtk_ubuntu_20.04.sif", "image_url": "docker://ubuntu:20.04"},
		Assets: []SeedFile{{Path: "dtk_ubuntu_20.04.sif", Data: demoBinary(64<<10, 7)}, {Path: "recipes/Singularity.def",
			Data: []byte("Bootstrap: docker\nFrom: ubuntu:20.04\n\n%post\n    apt-get update && apt-get install -y python3\n")}}})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	exportScripts, err := s.SeedEntity(ctx, kindAssetCollection, SeedEntity{Created: at(200),
		Tags:   map[string]any{"type": "scripts", "purpose": "nightly export"},
		Assets: []SeedFile{{Path: "export.sh", Data: []byte(demoExportScript)}}})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	items := demoWorkItems(at, exportScripts)
	ids, err := s.Seed(ctx, items)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	byName := map[string]string{}
	for i, it := range items {
		byName[it.Name] = ids[i]
	}
	rel := []struct{ from, typ, kind, to string }{
		{"Post-process incidence", "DependsOn", kindWorkItem, byName["Calibrate habitat scale — iteration 3"]},
		{"Post-process incidence", "DependsOn", kindExperiment, exp},
		{"Report: prevalence by age", "DependsOn", kindWorkItem, byName["Post-process incidence"]},
		{"Build singularity image dtk_ubuntu_20.04", "Created", kindAssetCollection, ac},
		{"Sweep analysis (long)", "DependsOn", kindWorkItem, byName["Climate generation Zambia 2.5 arcmin"]},
	}
	for _, r := range rel {
		if err := s.AddRelation(ctx, byName[r.from], r.typ, r.kind, r.to); err != nil {
			return fmt.Errorf("demo: relation %s %s: %w", r.from, r.typ, err)
		}
	}
	return nil
}

// demoExportScript is the command of the demo's new work item, in its
// asset collection: commissioning the item runs it to Succeeded.
const demoExportScript = `#!/bin/sh
# Nightly export: list the finished results in export/manifest.csv.
set -e
mkdir -p export
printf 'run,status\n' > export/manifest.csv
for run in 1 2 3; do
    printf 'run_%d,exported\n' "$run" >> export/manifest.csv
done
echo "Exported 3 runs to export/manifest.csv"
`

// demoWorkItems builds the sample work items; exportScripts is the asset
// collection of the one left to commission.
func demoWorkItems(at func(float64) time.Time, exportScripts string) []SeedWorkItem {
	docker := func(image, cmd string) SeedFile {
		return SeedFile{Path: "WorkOrder.json", FileType: "WorkOrder", Data: demoJSON(map[string]any{
			"WorkItem_Type": "DockerWorker", "Execution": map[string]any{"ImageName": image, "Command": cmd}})}
	}
	finished := func(name, desc string, hoursAgo float64, order SeedFile, tags map[string]any, extra ...SeedFile) SeedWorkItem {
		outs := append([]SeedFile{
			{Path: "StdOut.txt", Data: []byte(demoLog(name, 25))},
			{Path: "StdErr.txt", Data: nil},
			{Path: "WorkOrder.json", Data: order.Data},
		}, extra...)
		return SeedWorkItem{Name: name, Description: desc, State: "Succeeded", Tags: tags, Created: at(hoursAgo),
			Files: []SeedFile{order}, Outputs: outs}
	}
	ssmt := func(more map[string]any) map[string]any {
		t := map[string]any{"WorkItem_Type": "DockerWorker", "SSMT": nil}
		for k, v := range more {
			t[k] = v
		}
		return t
	}
	image := "docker-production.packages.idmod.org/idmtools/comps_ssmt_worker:1.6.7"
	calib := docker(image, "python3 Assets/calibrate.py --iteration 3 --samples 200")
	return []SeedWorkItem{
		finished("Calibrate habitat scale — iteration 3", "Optimise x_Temporary_Larval_Habitat against 2019 prevalence surveys",
			72, calib, ssmt(map[string]any{"project/phase": "calibration", "iteration": 3, "converged": true}),
			SeedFile{Path: "output/calibration/summary.csv", Data: []byte(demoCSV("iteration,habitat_scale,log_likelihood", 200))},
			SeedFile{Path: "output/calibration/best_params.json", Data: demoJSON(map[string]any{"x_Temporary_Larval_Habitat": 0.4721, "Antigen_Switch_Rate": 7.65e-10})},
			SeedFile{Path: "output/calibration/samples/iter_003.json", Data: demoJSON(map[string]any{"samples": demoSeries(200, 0.5)})},
			SeedFile{Path: "output/plots/likelihood.png", Data: demoBinary(48<<10, 3)},
		),
		finished("Build singularity image dtk_ubuntu_20.04", "Singularity build from docker://ubuntu:20.04",
			70, SeedFile{Path: "WorkOrder.json", FileType: "WorkOrder", Data: demoJSON(map[string]any{
				"WorkItem_Type": "ImageBuilderWorker", "Build": map[string]any{"Type": "singularity", "Input": "docker://ubuntu:20.04",
					"Output": "dtk_ubuntu_20.04.sif", "Tags": map[string]any{"type": "singularity"}}})},
			map[string]any{"WorkItem_Type": "ImageBuilderWorker", "image_name": "dtk_ubuntu_20.04.sif"},
			SeedFile{Path: "build.log", Data: []byte(demoLog("singularity build", 60))},
		),
		func() SeedWorkItem {
			it := finished("Climate generation Zambia 2.5 arcmin", "Daily air temperature, humidity and rainfall for 2015-2019",
				60, SeedFile{Path: "WorkOrder.json", FileType: "WorkOrder", Data: demoJSON(map[string]any{
					"WorkItem_Type": "InputDataWorker", "RequestType": "FromDemographics", "DemographicsPath": "Demographics.json",
					"Project": "IDM-Zambia", "Resolution": "2.5", "Parameters": []string{"tmean", "humid", "rain"}, "StartYear": "2015", "NumYears": "5"})},
				map[string]any{"WorkItem_Type": "InputDataWorker", "Region": "Southern"},
				SeedFile{Path: "output/climate/Zambia_2.5arcmin_air_temperature_daily.bin", Data: demoBinary(5<<20, 11)},
				SeedFile{Path: "output/climate/Zambia_2.5arcmin_air_temperature_daily.bin.json", Data: demoJSON(map[string]any{
					"Metadata": map[string]any{"DataProvenance": "ERA5", "IdReference": "Gridded world grump2.5arcmin", "NodeCount": 1372, "DatavalueCount": 1826}})},
				SeedFile{Path: "output/climate/empty_marker.txt", Data: []byte{}},
			)
			it.WorkerName = "InputDataWorker"
			it.Files = append(it.Files, SeedFile{Path: "Demographics.json", FileType: "Demographics",
				Data: demoJSON(map[string]any{"Nodes": []map[string]any{{"NodeID": 1, "NodeAttributes": map[string]any{"Latitude": -16.8, "Longitude": 27.9}}}})})
			return it
		}(),
		finished("Post-process incidence", "Aggregate clinical incidence by district from the baseline sweep",
			48, docker(image, "python3 Assets/postprocess.py --by district"), ssmt(map[string]any{"project/phase": "analysis"}),
			SeedFile{Path: "output/incidence_by_district.csv", Data: []byte(demoCSV("district,year,incidence_per_1000", 120))},
			SeedFile{Path: "output/tables/summary.json", Data: demoJSON(map[string]any{"districts": 12, "years": []int{2015, 2016, 2017, 2018, 2019}})},
		),
		finished("Report: prevalence by age", "PfPR by 5-year age bins",
			30, docker("ubuntu18.04_r3.5.0", "/usr/bin/Rscript Assets/prevalence_by_age.R"), ssmt(map[string]any{"report": "prevalence"}),
			SeedFile{Path: "output/report/prevalence_by_age.csv", Data: []byte(demoCSV("age_bin,pfpr", 18))},
			SeedFile{Path: "output/report/README.txt", Data: []byte("Prevalence by age, generated from the post-processed incidence tables.\n")},
		),
		finished("Hello SSMT", "Smoke test of the SSMT worker", 20, docker("ubuntu18.04_python3.6_dtk-tools1.1.6", "python3 -c \"print('hello')\""),
			ssmt(nil)),
		{Name: "Sweep analysis (long)", Description: "Analyse 2,000 simulations of the habitat sweep", State: "Running", Created: at(2),
			Tags:  ssmt(map[string]any{"project/phase": "analysis"}),
			Files: []SeedFile{docker(image, "python3 Assets/analyze_sweep.py --workers 8")},
			Outputs: []SeedFile{{Path: "StdOut.txt", Data: []byte(demoLog("Sweep analysis", 12))}, {Path: "StdErr.txt"},
				{Path: "WorkOrder.json", Data: docker(image, "python3 Assets/analyze_sweep.py --workers 8").Data}}},
		{Name: "Fit seasonality model", Description: "Fourier fit of monthly rainfall", State: "Failed", ErrorMessage: "exit status 3", Created: at(5),
			Tags:  ssmt(map[string]any{"project/phase": "calibration", "retry": false}),
			Files: []SeedFile{docker(image, "python3 Assets/fit_seasonality.py")},
			Outputs: []SeedFile{{Path: "StdOut.txt", Data: []byte("Loading rainfall series...\n")},
				{Path: "StdErr.txt", Data: []byte("Traceback (most recent call last):\n  File \"Assets/fit_seasonality.py\", line 42, in <module>\n    raise SystemExit(3)\nValueError: rainfall series has 11 months, expected 12\n")},
				{Path: "WorkOrder.json", Data: docker(image, "python3 Assets/fit_seasonality.py").Data}}},
		{Name: "Nightly export", Description: "Export finished results to the data lake", State: "Created", Created: at(0.5),
			Tags: ssmt(map[string]any{"schedule": "nightly"}), Files: []SeedFile{docker(image, "sh Assets/export.sh")},
			AssetCollectionId: exportScripts},
	}
}

// demoJSON renders v as indented JSON.
func demoJSON(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ") // demo values always encode
	return append(b, '\n')
}

// demoLog fakes a worker log of n lines.
func demoLog(what string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Starting %s\n", what)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "[%04d] step %d/%d: ok (%.2fs)\n", i, i, n, float64(i%7)*0.37+0.1)
	}
	b.WriteString("Done.\n")
	return b.String()
}

// demoCSV fakes a CSV table with a header and n rows.
func demoCSV(header string, n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	cols := len(strings.Split(header, ","))
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d", i)
		for c := 1; c < cols; c++ {
			fmt.Fprintf(&b, ",%.4f", r.Float64()*10)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// demoSeries fakes a noisy series around level.
func demoSeries(n int, level float64) []float64 {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	out := make([]float64, n)
	for i := range out {
		out[i] = level * (0.8 + 0.4*r.Float64())
	}
	return out
}

// demoBinary returns n deterministic pseudo-random bytes.
func demoBinary(n int, seed uint64) []byte {
	var key [32]byte
	key[0] = byte(seed)
	c := rand.NewChaCha8(key)
	b := make([]byte, n)
	_, _ = c.Read(b) // ChaCha8.Read never fails
	return b
}
