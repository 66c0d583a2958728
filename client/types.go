package client

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// WorkerOrPluginKey names a worker (or plugin) and its version, e.g.
// DockerWorker 1.0.0.0_RELEASE. The server sends {"Name","Version"}; pyCOMPS
// sends lower-case keys on create; decoding accepts both (§2.6).
type WorkerOrPluginKey struct {
	Name    string `json:"Name"`
	Version string `json:"Version"`
}

// String is "name version", the form of the worker file in the mount.
func (k WorkerOrPluginKey) String() string {
	if k.Version == "" {
		return k.Name
	}
	return k.Name + " " + k.Version
}

// UnmarshalJSON accepts an object with Name/Version in any letter case, a
// plain string, or a [name, version] array (the Plugins child's element
// shape is unconfirmed, §3.1).
func (k *WorkerOrPluginKey) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*k = WorkerOrPluginKey{Name: s}
		return nil
	}
	var pair []string
	if err := json.Unmarshal(b, &pair); err == nil {
		if len(pair) == 0 || len(pair) > 2 {
			return fmt.Errorf("worker key: %d strings in %s", len(pair), b)
		}
		*k = WorkerOrPluginKey{Name: pair[0]}
		if len(pair) == 2 {
			k.Version = pair[1]
		}
		return nil
	}
	type plain WorkerOrPluginKey // encoding/json matches keys case-insensitively
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("worker key: %w", err)
	}
	*k = WorkerOrPluginKey(p)
	return nil
}

// Tags are an entity's tags: string keys, values a string, number, bool or nil
// (null-valued tags act as flags, §2.7).
type Tags map[string]any

// TagText formats a tag value as text: strings as they are, numbers and
// booleans as JSON writes them, null as the empty string.
func TagText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// WorkItem is a COMPS work item with all sixteen properties of §3.1 and its
// three children, which the server fills only when asked (children=).
type WorkItem struct {
	ID                   string              `json:"Id,omitempty"`
	Name                 string              `json:"Name,omitempty"`
	Worker               WorkerOrPluginKey   `json:"Worker,omitzero"`
	EnvironmentName      string              `json:"EnvironmentName,omitempty"`
	Description          string              `json:"Description,omitempty"`
	Owner                string              `json:"Owner,omitempty"`
	DateCreated          Time                `json:"DateCreated,omitzero"`
	LastModified         Time                `json:"LastModified,omitzero"`
	State                WorkItemState       `json:"State,omitempty"`
	ErrorMessage         string              `json:"ErrorMessage,omitempty"`
	HostName             string              `json:"HostName,omitempty"`
	WorkerInstanceID     string              `json:"WorkerInstanceId,omitempty"`
	Priority             Priority            `json:"Priority,omitempty"`
	WorkingDirectory     string              `json:"WorkingDirectory,omitempty"`
	WorkingDirectorySize int64               `json:"WorkingDirectorySize,omitempty"`
	AssetCollectionID    string              `json:"AssetCollectionId,omitempty"`
	Tags                 Tags                `json:"Tags,omitempty"`
	Files                []WorkItemFile      `json:"Files,omitempty"`
	Plugins              []WorkerOrPluginKey `json:"Plugins,omitempty"`
}

// WorkItemFile is one of a work item's own files (§4); SimulationFile has the
// same fields. Length and URI are set by the server.
type WorkItemFile struct {
	FileName    string `json:"FileName"`
	FileType    string `json:"FileType"`
	Description string `json:"Description"`
	MD5Checksum string `json:"MD5Checksum,omitempty"`
	Length      int64  `json:"Length,omitempty"`
	URI         string `json:"Uri,omitempty"`
}

// OutputFile is one entry of a flattened output listing (§7.1).
type OutputFile struct {
	ID           string `json:"Id,omitempty"`
	FriendlyName string `json:"FriendlyName"`
	PathFromRoot string `json:"PathFromRoot"`
	Length       int64  `json:"Length"`
	URL          string `json:"Url"`
	MimeType     string `json:"MimeType,omitempty"`
	MD5          string `json:"MD5,omitempty"`
}

// Path is the file's path relative to the working directory: FriendlyName at
// the top level (PathFromRoot "."), else PathFromRoot/FriendlyName. It is the
// server's text, not yet checked for safety.
func (o OutputFile) Path() string {
	if o.PathFromRoot == "" || o.PathFromRoot == "." {
		return o.FriendlyName
	}
	return o.PathFromRoot + "/" + o.FriendlyName
}

// MD5Hex is the file's checksum as 32 hex digits, or "" when the server sent
// none or an unreadable one.
func (o OutputFile) MD5Hex() string {
	h, err := MD5Hex(o.MD5)
	if err != nil {
		return ""
	}
	return h
}

// RelatedEntity is one entry of a work item's relations (§3.6).
type RelatedEntity struct {
	ObjectType   Kind         `json:"ObjectType"`
	ID           string       `json:"Id"`
	RelationType RelationType `json:"RelationType,omitempty"`
}

// Parent is one work item that points at an entity (§3.6, Parents).
type Parent struct {
	ID string `json:"Id"`
}

// Configuration is the run configuration child of suites, experiments and
// simulations (§9).
type Configuration struct {
	EnvironmentName        string   `json:"EnvironmentName,omitempty"`
	SimulationInputArgs    string   `json:"SimulationInputArgs,omitempty"`
	WorkingDirectoryRoot   string   `json:"WorkingDirectoryRoot,omitempty"`
	ExecutablePath         string   `json:"ExecutablePath,omitempty"`
	NodeGroupName          string   `json:"NodeGroupName,omitempty"`
	MaximumNumberOfRetries int      `json:"MaximumNumberOfRetries,omitempty"`
	Priority               Priority `json:"Priority,omitempty"`
	MinCores               int      `json:"MinCores,omitempty"`
	MaxCores               int      `json:"MaxCores,omitempty"`
	Exclusive              bool     `json:"Exclusive,omitempty"`
	AssetCollectionID      string   `json:"AssetCollectionId,omitempty"`
}

// Suite is a COMPS suite (§9).
type Suite struct {
	ID            string         `json:"Id,omitempty"`
	Name          string         `json:"Name,omitempty"`
	Description   string         `json:"Description,omitempty"`
	Owner         string         `json:"Owner,omitempty"`
	DateCreated   Time           `json:"DateCreated,omitzero"`
	LastModified  Time           `json:"LastModified,omitzero"`
	Tags          Tags           `json:"Tags,omitempty"`
	Configuration *Configuration `json:"Configuration,omitempty"`
}

// Experiment is a COMPS experiment (§9): a suite's fields plus SuiteId.
type Experiment struct {
	ID            string         `json:"Id,omitempty"`
	SuiteID       string         `json:"SuiteId,omitempty"`
	Name          string         `json:"Name,omitempty"`
	Description   string         `json:"Description,omitempty"`
	Owner         string         `json:"Owner,omitempty"`
	DateCreated   Time           `json:"DateCreated,omitzero"`
	LastModified  Time           `json:"LastModified,omitzero"`
	Tags          Tags           `json:"Tags,omitempty"`
	Configuration *Configuration `json:"Configuration,omitempty"`
}

// Simulation is a COMPS simulation (§9); note its state's wire key,
// SimulationState.
type Simulation struct {
	ID            string          `json:"Id,omitempty"`
	ExperimentID  string          `json:"ExperimentId,omitempty"`
	Name          string          `json:"Name,omitempty"`
	Description   string          `json:"Description,omitempty"`
	Owner         string          `json:"Owner,omitempty"`
	DateCreated   Time            `json:"DateCreated,omitzero"`
	LastModified  Time            `json:"LastModified,omitzero"`
	State         SimulationState `json:"SimulationState,omitempty"`
	ErrorMessage  string          `json:"ErrorMessage,omitempty"`
	Tags          Tags            `json:"Tags,omitempty"`
	Configuration *Configuration  `json:"Configuration,omitempty"`
	Files         []WorkItemFile  `json:"Files,omitempty"`
	HPCJobs       []HpcJob        `json:"HPCJobs,omitempty"`
}

// HpcJob is one scheduler job of a simulation (§9), read-only.
type HpcJob struct {
	ID                  string `json:"Id,omitempty"`
	JobID               int64  `json:"JobId,omitempty"`
	JobState            string `json:"JobState,omitempty"`
	Priority            string `json:"Priority,omitempty"`
	WorkingDirectory    string `json:"WorkingDirectory,omitempty"`
	OutputDirectorySize int64  `json:"OutputDirectorySize,omitempty"`
	SubmitTime          Time   `json:"SubmitTime,omitzero"`
	StartTime           Time   `json:"StartTime,omitzero"`
	EndTime             Time   `json:"EndTime,omitzero"`
	ErrorMessage        string `json:"ErrorMessage,omitempty"`
}

// AssetCollection is a COMPS asset collection (§8.3).
type AssetCollection struct {
	ID          string                `json:"Id,omitempty"`
	DateCreated Time                  `json:"DateCreated,omitzero"`
	Tags        Tags                  `json:"Tags,omitempty"`
	Assets      []AssetCollectionFile `json:"Assets,omitempty"`
}

// AssetCollectionFile is one file of an asset collection (§8.3).
type AssetCollectionFile struct {
	FileName     string `json:"FileName"`
	RelativePath string `json:"RelativePath,omitempty"`
	MD5Checksum  string `json:"MD5Checksum,omitempty"`
	Length       int64  `json:"Length,omitempty"`
	URI          string `json:"Uri,omitempty"`
	Tags         Tags   `json:"Tags,omitempty"`
}
