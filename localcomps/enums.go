package localcomps

// Enumerations of docs/protocol.md §10, by name with their numbers. Names travel on
// the wire; numbers only order states.

// workItemStates maps each WorkItemState name to its number.
var workItemStates = map[string]int{
	"Created": 0, "CommissionRequested": 5, "Commissioned": 10, "Validating": 30,
	"Running": 40, "Waiting": 50, "ResumeRequested": 60, "CancelRequested": 80,
	"Canceled": 90, "Resumed": 100, "Canceling": 120, "Succeeded": 130, "Failed": 140,
}

// simulationStates maps each SimulationState name to its number.
var simulationStates = map[string]int{
	"Created": 0, "CommissionRequested": 1, "Provisioning": 2, "Commissioned": 3,
	"Running": 4, "Retry": 5, "Succeeded": 6, "Failed": 7, "CancelRequested": 8, "Canceled": 9,
}

// priorities maps each Priority name to its number.
var priorities = map[string]int{
	"Lowest": 0, "BelowNormal": 1, "Normal": 2, "AboveNormal": 3, "Highest": 4,
}

// relationTypes are the RelationType names.
var relationTypes = map[string]int{"DependsOn": 0, "Created": 1}

// Kind names as used in paths (singular class names).
const (
	kindWorkItem        = "WorkItem"
	kindSuite           = "Suite"
	kindExperiment      = "Experiment"
	kindSimulation      = "Simulation"
	kindAssetCollection = "AssetCollection"
)

// kinds lists every entity kind in a fixed order.
var kinds = []string{kindWorkItem, kindSuite, kindExperiment, kindSimulation, kindAssetCollection}

// validKind reports whether k is an entity class name.
func validKind(k string) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// activeWorkItemStates are the states from which CancelRequested is valid.
var activeWorkItemStates = map[string]bool{
	"CommissionRequested": true, "Commissioned": true, "Validating": true, "Running": true,
	"Waiting": true, "ResumeRequested": true, "Resumed": true,
}

// activeSimulationStates are the simulation states from which
// CancelRequested is valid.
var activeSimulationStates = map[string]bool{
	"CommissionRequested": true, "Provisioning": true, "Commissioned": true, "Running": true, "Retry": true,
}
