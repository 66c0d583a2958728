package inbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/compsfs/compsfs/client"
)

// Names the submitter gives COMPS (docs/writing.md, docs/protocol.md §5, §12).
const (
	// WorkerVersion is the official tools' default plugin key.
	WorkerVersion = "1.0.0.0_RELEASE"
	// TagSubmission carries the submission's unique id on the work item.
	TagSubmission = "compsfs.submission"
	// TagWorkItemType is the tag the official tools set to the worker type.
	TagWorkItemType = "WorkItem_Type"
	// WorkOrderFile is the work order's file name in COMPS and in a folder entry.
	WorkOrderFile = "WorkOrder.json"
	// MetaFile is a folder entry's optional description of its work item.
	MetaFile = "workitem.json"
)

// relation is a DependsOn target of a folder entry.
type relation struct {
	kind client.Kind
	id   string
}

// order is what a spooled entry becomes: the work item to create, the
// relations to add after, whether to commission it.
type order struct {
	item       client.NewWorkItem
	depends    []relation
	commission bool
}

// workOrderHead is what compsfs reads of a work order.
type workOrderHead struct {
	Type            string
	Name            string
	EnvironmentName string
}

// parseWorkOrder checks a work order: a non-empty JSON object with a
// non-empty string WorkItem_Type; Name and EnvironmentName are read when they
// are strings.
func parseWorkOrder(data []byte) (workOrderHead, error) {
	var h workOrderHead
	if len(bytes.TrimSpace(data)) == 0 {
		return h, errors.New("the work order is empty")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return h, fmt.Errorf("the work order is not valid JSON (at byte %d: %v)", syn.Offset, err)
		}
		return h, fmt.Errorf("the work order is not a JSON object: %v", err)
	}
	if obj == nil {
		return h, errors.New("the work order is not a JSON object")
	}
	raw, ok := obj[TagWorkItemType]
	if !ok {
		return h, errors.New(`the work order has no "WorkItem_Type" (the worker type, e.g. "DockerWorker")`)
	}
	if err := json.Unmarshal(raw, &h.Type); err != nil || strings.TrimSpace(h.Type) == "" {
		return h, errors.New(`the work order's "WorkItem_Type" must be a non-empty string`)
	}
	if raw, ok := obj["Name"]; ok {
		_ = json.Unmarshal(raw, &h.Name)
	}
	if raw, ok := obj["EnvironmentName"]; ok {
		_ = json.Unmarshal(raw, &h.EnvironmentName)
	}
	return h, nil
}

// buildFile makes the order of inbox/NAME.json: name NAME (or the order's
// Name), worker WorkItem_Type 1.0.0.0_RELEASE, environment env (or the
// order's EnvironmentName), the tags, the file as WorkOrder.json.
func buildFile(e *Entry, env, submission string) (order, error) {
	path := e.DataPath("")
	data, err := os.ReadFile(path)
	if err != nil {
		return order{}, fmt.Errorf("read the spooled work order: %w", err)
	}
	h, err := parseWorkOrder(data)
	if err != nil {
		return order{}, err
	}
	name := strings.TrimSuffix(e.Name(), ".json")
	if strings.TrimSpace(h.Name) != "" {
		name = h.Name
	}
	if h.EnvironmentName != "" {
		env = h.EnvironmentName
	}
	if env == "" {
		return order{}, errors.New("no environment: mount with --environment NAME or put \"EnvironmentName\" in the work order")
	}
	wo, err := client.FileFromPath(WorkOrderFile, "WorkOrder", path)
	if err != nil {
		return order{}, err
	}
	it := client.NewWorkItem{Name: name, Worker: client.WorkerOrPluginKey{Name: h.Type, Version: WorkerVersion},
		EnvironmentName: env, Tags: client.Tags{TagWorkItemType: h.Type, TagSubmission: submission},
		Files: []client.FileUpload{wo}}
	return order{item: it, commission: true}, nil
}

// folderMeta is workitem.json of a folder entry.
type folderMeta struct {
	Name              *string         `json:"name"`
	Description       string          `json:"description"`
	Worker            json.RawMessage `json:"worker"`
	EnvironmentName   string          `json:"environment_name"`
	Priority          string          `json:"priority"`
	AssetCollectionID string          `json:"asset_collection_id"`
	Tags              client.Tags     `json:"tags"`
	DependsOn         []string        `json:"depends_on"`
	Commission        *bool           `json:"commission"`
}

// buildFolder makes the order of inbox/NAME/: WorkOrder.json (required),
// workitem.json (optional), every other file an input.
func buildFolder(e *Entry, env, submission string) (order, error) {
	files, err := e.Files()
	if err != nil {
		return order{}, err
	}
	var o order
	o.commission = true
	var meta folderMeta
	var wo *client.FileUpload
	var head workOrderHead
	var inputs []client.FileUpload
	for _, f := range files {
		path := e.DataPath(f.Name)
		switch f.Name {
		case WorkOrderFile:
			data, err := os.ReadFile(path)
			if err != nil {
				return o, fmt.Errorf("read %s: %w", f.Name, err)
			}
			if head, err = parseWorkOrder(data); err != nil {
				return o, err
			}
			u, err := client.FileFromPath(WorkOrderFile, "WorkOrder", path)
			if err != nil {
				return o, err
			}
			wo = &u
		case MetaFile:
			data, err := os.ReadFile(path)
			if err != nil {
				return o, fmt.Errorf("read %s: %w", f.Name, err)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&meta); err != nil {
				return o, fmt.Errorf("%s: %v", MetaFile, err)
			}
		default:
			u, err := client.FileFromPath(f.Name, "input", path)
			if err != nil {
				return o, err
			}
			inputs = append(inputs, u)
		}
	}
	if wo == nil {
		return o, fmt.Errorf("the folder has no %s", WorkOrderFile)
	}
	it := client.NewWorkItem{Name: e.Name(), Description: meta.Description, EnvironmentName: env,
		Worker: client.WorkerOrPluginKey{Name: head.Type, Version: WorkerVersion}}
	switch {
	case meta.Name != nil && strings.TrimSpace(*meta.Name) != "":
		it.Name = *meta.Name
	case strings.TrimSpace(head.Name) != "":
		it.Name = head.Name
	}
	if meta.EnvironmentName != "" {
		it.EnvironmentName = meta.EnvironmentName
	} else if head.EnvironmentName != "" {
		it.EnvironmentName = head.EnvironmentName
	}
	if it.EnvironmentName == "" {
		return o, errors.New("no environment: mount with --environment NAME or set environment_name in workitem.json")
	}
	if len(meta.Worker) > 0 && string(meta.Worker) != "null" {
		if it.Worker, err = parseWorker(meta.Worker); err != nil {
			return o, err
		}
	}
	if meta.Priority != "" {
		if client.Priority(meta.Priority).Number() < 0 {
			return o, fmt.Errorf("%s: unknown priority %q", MetaFile, meta.Priority)
		}
		it.Priority = client.Priority(meta.Priority)
	}
	if meta.AssetCollectionID != "" {
		if it.AssetCollectionID, err = client.CanonicalID(meta.AssetCollectionID); err != nil {
			return o, fmt.Errorf("%s: asset_collection_id: %v", MetaFile, err)
		}
	}
	it.Tags = client.Tags{}
	for k, v := range meta.Tags {
		it.Tags[k] = v
	}
	it.Tags[TagWorkItemType] = head.Type
	it.Tags[TagSubmission] = submission
	it.Files = append([]client.FileUpload{*wo}, inputs...)
	for _, d := range meta.DependsOn {
		r, err := parseRelation(d)
		if err != nil {
			return o, fmt.Errorf("%s: depends_on: %v", MetaFile, err)
		}
		o.depends = append(o.depends, r)
	}
	if meta.Commission != nil {
		o.commission = *meta.Commission
	}
	o.item = it
	return o, nil
}

// parseWorker reads workitem.json's worker: "Name", "Name Version" or
// {"name": ..., "version": ...}.
func parseWorker(raw json.RawMessage) (client.WorkerOrPluginKey, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		name, version, _ := strings.Cut(strings.TrimSpace(s), " ")
		if version = strings.TrimSpace(version); version == "" {
			version = WorkerVersion
		}
		if name == "" {
			return client.WorkerOrPluginKey{}, fmt.Errorf("%s: empty worker", MetaFile)
		}
		return client.WorkerOrPluginKey{Name: name, Version: version}, nil
	}
	var k client.WorkerOrPluginKey
	if err := json.Unmarshal(raw, &k); err != nil || k.Name == "" {
		return k, fmt.Errorf("%s: worker must be \"Name [Version]\" or {\"name\", \"version\"}", MetaFile)
	}
	if k.Version == "" {
		k.Version = WorkerVersion
	}
	return k, nil
}

// parseRelation reads a depends_on target: an id (a work item) or
// "<Kind>/<id>", the kind as COMPS names it or as the mount's folder
// ("Simulation/…", "simulations/…").
func parseRelation(s string) (relation, error) {
	kindName, idText, found := strings.Cut(s, "/")
	if !found {
		kindName, idText = string(client.KindWorkItem), s
	}
	id, err := client.CanonicalID(idText)
	if err != nil {
		return relation{}, err
	}
	for _, k := range client.Kinds {
		if strings.EqualFold(kindName, string(k)) || strings.EqualFold(kindName, k.Plural()) {
			return relation{kind: k, id: id}, nil
		}
	}
	return relation{}, fmt.Errorf("unknown kind %q in %q", kindName, s)
}
