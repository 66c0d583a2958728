package localcomps

import (
	"encoding/json"
	"time"
)

// These are the JSON shapes the server sends and receives. They are written
// from docs/protocol.md independently of the client package. Optional values
// are pointers or carry omitempty so that unset values are never sent as null.

// wireWorker is the Worker object of a work item. Decoding is
// case-insensitive, so both {"Name","Version"} and {"name","version"} bind.
type wireWorker struct {
	Name    string `json:"Name"`
	Version string `json:"Version"`
}

// wireFile is an element of a work item's or simulation's Files child.
type wireFile struct {
	FileName    string `json:"FileName,omitempty"`
	FileType    string `json:"FileType,omitempty"`
	Description string `json:"Description"`
	MD5Checksum string `json:"MD5Checksum,omitempty"`
	Length      *int64 `json:"Length,omitempty"`
	Uri         string `json:"Uri,omitempty"`
}

// wireAsset is an element of an asset collection's Assets child.
type wireAsset struct {
	FileName     string          `json:"FileName,omitempty"`
	RelativePath string          `json:"RelativePath,omitempty"`
	MD5Checksum  string          `json:"MD5Checksum,omitempty"`
	Length       *int64          `json:"Length,omitempty"`
	Uri          string          `json:"Uri,omitempty"`
	Tags         *map[string]any `json:"Tags,omitempty"`
}

// wireEntity is any entity as sent by the server; the query code fills only
// the selected properties of the entity's kind.
type wireEntity struct {
	Id                   string          `json:"Id,omitempty"`
	SuiteId              string          `json:"SuiteId,omitempty"`
	ExperimentId         string          `json:"ExperimentId,omitempty"`
	Name                 string          `json:"Name,omitempty"`
	Description          string          `json:"Description,omitempty"`
	Owner                string          `json:"Owner,omitempty"`
	DateCreated          string          `json:"DateCreated,omitempty"`
	LastModified         string          `json:"LastModified,omitempty"`
	Worker               *wireWorker     `json:"Worker,omitempty"`
	EnvironmentName      string          `json:"EnvironmentName,omitempty"`
	State                string          `json:"State,omitempty"`
	SimulationState      string          `json:"SimulationState,omitempty"`
	ErrorMessage         string          `json:"ErrorMessage,omitempty"`
	HostName             string          `json:"HostName,omitempty"`
	WorkerInstanceId     string          `json:"WorkerInstanceId,omitempty"`
	Priority             string          `json:"Priority,omitempty"`
	WorkingDirectory     string          `json:"WorkingDirectory,omitempty"`
	WorkingDirectorySize *int64          `json:"WorkingDirectorySize,omitempty"`
	AssetCollectionId    string          `json:"AssetCollectionId,omitempty"`
	Tags                 *map[string]any `json:"Tags,omitempty"`
	Files                *[]wireFile     `json:"Files,omitempty"`
	Plugins              *[]wireWorker   `json:"Plugins,omitempty"`
	Assets               *[]wireAsset    `json:"Assets,omitempty"`
	HPCJobs              *[]struct{}     `json:"HPCJobs,omitempty"`
	Configuration        json.RawMessage `json:"Configuration,omitempty"`
}

// saveFile is a file reference in a save request (Files or Assets element).
type saveFile struct {
	FileName     string          `json:"FileName"`
	FileType     string          `json:"FileType"`
	Description  string          `json:"Description"`
	MD5Checksum  string          `json:"MD5Checksum"`
	RelativePath string          `json:"RelativePath"`
	Tags         json.RawMessage `json:"Tags"`
}

// saveEntity is one object of a save request (work item, suite,
// experiment, simulation or asset collection). Unknown keys are ignored.
type saveEntity struct {
	Id                string          `json:"Id"`
	Name              *string         `json:"Name"`
	Description       *string         `json:"Description"`
	Owner             string          `json:"Owner"`
	Worker            *wireWorker     `json:"Worker"`
	EnvironmentName   string          `json:"EnvironmentName"`
	Priority          string          `json:"Priority"`
	AssetCollectionId string          `json:"AssetCollectionId"`
	SuiteId           string          `json:"SuiteId"`
	ExperimentId      string          `json:"ExperimentId"`
	Configuration     json.RawMessage `json:"Configuration"`
	Tags              json.RawMessage `json:"Tags"`
	Files             []saveFile      `json:"Files"`
	Assets            []saveFile      `json:"Assets"`
}

// wireIds is the answer to every save: the ids in request order.
type wireIds struct {
	Ids []string `json:"Ids"`
}

// wireError is the body of every error answer.
type wireError struct {
	ResponseMessage string   `json:"ResponseMessage"`
	CorrelationId   string   `json:"CorrelationId"`
	UntrackedIds    []string `json:"UntrackedIds,omitempty"`
}

// wireTagsRequest is the body of POST /api/<Kind>s/{id}/tags.
type wireTagsRequest struct {
	Tags          json.RawMessage `json:"Tags"`
	OperationMode string          `json:"OperationMode"`
}

// wireRelated is an element of a Related or Parents answer.
type wireRelated struct {
	ObjectType   string `json:"ObjectType"`
	Id           string `json:"Id"`
	RelationType string `json:"RelationType"`
}

// wireResource is an element of an output listing (OutputFileMetadata).
type wireResource struct {
	Id           string `json:"Id"`
	FriendlyName string `json:"FriendlyName"`
	PathFromRoot string `json:"PathFromRoot"`
	Length       int64  `json:"Length"`
	Url          string `json:"Url"`
	MimeType     string `json:"MimeType"`
	MD5          string `json:"MD5"`
}

// wireLogin is the body of POST /api/tokens.
type wireLogin struct {
	Username      string `json:"Username"`
	Password      string `json:"Password"`
	ClientVersion any    `json:"ClientVersion"`
}

// dateLayout is the .NET round-trip form COMPS sends: exactly seven
// fractional digits and a Z (pyCOMPS needs at least two).
const dateLayout = "2006-01-02T15:04:05.0000000Z"

// formatDate renders t in UTC with exactly seven fractional digits.
func formatDate(t time.Time) string {
	return t.UTC().Format(dateLayout)
}

// fromNanos turns a stored Unix-nanosecond time into a time.Time.
func fromNanos(n int64) time.Time {
	return time.Unix(0, n).UTC()
}
