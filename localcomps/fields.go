package localcomps

// fieldType says how a property's filter values are parsed and compared.
type fieldType int

const (
	ftString fieldType = iota
	ftEnum
	ftUUID
	ftDate
	ftInt
)

// fieldDef describes one basic property of a kind: its wire name, the SQL
// expression over the entities row (alias e) used to filter and sort it
// ("" = neither), and how to fill it into an answer.
type fieldDef struct {
	name string
	expr string
	typ  fieldType
	enum map[string]int
	fill func(out *wireEntity, row *entityRow, ctx *fillContext)
}

// wdSizeExpr computes WorkingDirectorySize: the sum of the output lengths.
const wdSizeExpr = `(SELECT COALESCE(SUM(o.length), 0) FROM outputs o WHERE o.entity_id = e.id)`

var (
	fId           = fieldDef{"Id", "e.id", ftUUID, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.Id = r.id }}
	fName         = fieldDef{"Name", "e.name", ftString, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.Name = r.name }}
	fDescription  = fieldDef{"Description", "e.description", ftString, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.Description = r.description }}
	fOwner        = fieldDef{"Owner", "e.owner", ftString, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.Owner = r.owner }}
	fDateCreated  = fieldDef{"DateCreated", "e.created", ftDate, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.DateCreated = formatDate(fromNanos(r.created)) }}
	fLastModified = fieldDef{"LastModified", "e.modified", ftDate, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.LastModified = formatDate(fromNanos(r.modified)) }}
	fErrorMessage = fieldDef{"ErrorMessage", "e.error_message", ftString, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.ErrorMessage = r.errorMessage }}
)

// kindFields lists each kind's basic properties, in answer order.
var kindFields = map[string][]fieldDef{
	kindWorkItem: {
		fId, fName,
		{"Worker", "e.worker_name", ftString, nil, func(o *wireEntity, r *entityRow, _ *fillContext) {
			if r.workerName != "" || r.workerVersion != "" {
				o.Worker = &wireWorker{Name: r.workerName, Version: r.workerVersion}
			}
		}},
		{"EnvironmentName", "e.environment_name", ftString, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.EnvironmentName = r.environmentName }},
		fDescription, fOwner, fDateCreated, fLastModified,
		{"State", "e.state", ftEnum, workItemStates, func(o *wireEntity, r *entityRow, _ *fillContext) { o.State = r.state }},
		fErrorMessage,
		{"HostName", "e.host_name", ftString, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.HostName = r.hostName }},
		{"WorkerInstanceId", "e.worker_instance_id", ftUUID, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.WorkerInstanceId = r.workerInstanceID }},
		{"Priority", "e.priority", ftEnum, priorities, func(o *wireEntity, r *entityRow, _ *fillContext) { o.Priority = r.priority }},
		{"WorkingDirectory", "", ftString, nil, func(o *wireEntity, r *entityRow, c *fillContext) { o.WorkingDirectory = c.s.workDir(r.id) }},
		{"WorkingDirectorySize", wdSizeExpr, ftInt, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { n := r.wdSize; o.WorkingDirectorySize = &n }},
		{"AssetCollectionId", "e.asset_collection_id", ftUUID, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.AssetCollectionId = r.assetCollectionID }},
	},
	kindSuite: {fId, fName, fDescription, fOwner, fDateCreated, fLastModified},
	kindExperiment: {
		fId,
		{"SuiteId", "e.parent_id", ftUUID, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.SuiteId = r.parentID }},
		fName, fDescription, fOwner, fDateCreated, fLastModified,
	},
	kindSimulation: {
		fId,
		{"ExperimentId", "e.parent_id", ftUUID, nil, func(o *wireEntity, r *entityRow, _ *fillContext) { o.ExperimentId = r.parentID }},
		fName, fDescription, fOwner, fDateCreated, fLastModified,
		{"SimulationState", "e.state", ftEnum, simulationStates, func(o *wireEntity, r *entityRow, _ *fillContext) { o.SimulationState = r.state }},
		fErrorMessage,
	},
	kindAssetCollection: {fId, fDateCreated},
}

// kindChildren lists each kind's children. Configuration is filled when
// the entity was saved with one.
var kindChildren = map[string][]string{
	kindWorkItem:        {"Tags", "Files", "Plugins"},
	kindSuite:           {"Tags", "Configuration"},
	kindExperiment:      {"Tags", "Configuration"},
	kindSimulation:      {"Tags", "Configuration", "Files", "HPCJobs"},
	kindAssetCollection: {"Tags", "Assets"},
}

// lookupField finds a kind's property by wire name.
func lookupField(kind, name string) (fieldDef, bool) {
	for _, f := range kindFields[kind] {
		if f.name == name {
			return f, true
		}
	}
	return fieldDef{}, false
}

// hasChild reports whether name is a child of kind.
func hasChild(kind, name string) bool {
	for _, c := range kindChildren[kind] {
		if c == name {
			return true
		}
	}
	return false
}
