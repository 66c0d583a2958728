package localcomps

import (
	"bytes"
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
)

// SeedFile is a file given to Seed or SeedEntity: content in Data, or
// Size bytes read from Reader.
type SeedFile struct {
	// Path is the base name for an entity's own files, "sub/dir/file.txt"
	// for outputs and assets.
	Path string
	// FileType is the type of an entity's own file (WorkOrder, input, ...).
	FileType string
	// Data is the content, unless Reader is set.
	Data []byte
	// Reader supplies exactly Size bytes of content when set.
	Reader io.Reader
	// Size is the number of bytes Reader gives.
	Size int64
	// ModTime is the output file's time; default the entity's creation.
	ModTime time.Time
}

// SeedWorkItem is a work item given to Seed. Empty values get defaults:
// State Created, Owner the server's user, the first environment, worker
// DockerWorker 1.0.0.0_RELEASE, priority Normal, created now.
type SeedWorkItem struct {
	Id              string
	Name            string
	Description     string
	Owner           string
	EnvironmentName string
	WorkerName      string
	WorkerVersion   string
	State           string
	ErrorMessage    string
	Priority        string
	Tags            map[string]any
	// AssetCollectionId is the asset collection the item's command finds
	// under Assets/; it must exist.
	AssetCollectionId string
	// Plugins are the item's plugins; none by default (see unconfirmed.go).
	Plugins []Plugin
	// Files are the work item's own files (WorkOrder.json, inputs).
	Files []SeedFile
	// Outputs are the working-directory files.
	Outputs []SeedFile
	Created time.Time
}

// SeedEntity is a suite, experiment, simulation or asset collection given
// to SeedEntity.
type SeedEntity struct {
	Id          string
	Name        string
	Description string
	Owner       string
	Tags        map[string]any
	// ParentId is the SuiteId of an experiment or ExperimentId of a
	// simulation.
	ParentId string
	// SimulationState defaults to Created for simulations.
	SimulationState string
	ErrorMessage    string
	// Files are a simulation's own files (config.json, ...).
	Files []SeedFile
	// Outputs are a simulation's output files.
	Outputs []SeedFile
	// Assets are an asset collection's files; Path is "relative/dir/name".
	Assets  []SeedFile
	Created time.Time
}

// storedBlob is a seeded file once its content is in the blob store.
type storedBlob struct {
	path, ftype, md5hex string
	length, mtime       int64
}

// storeSeedFile puts a seed file's content into the blob store.
func (s *Server) storeSeedFile(f SeedFile, created int64) (storedBlob, error) {
	sb := storedBlob{path: f.Path, ftype: f.FileType, mtime: created}
	if !f.ModTime.IsZero() {
		sb.mtime = f.ModTime.UnixNano() / 100 * 100
	}
	if f.Reader == nil {
		sum := md5.Sum(f.Data)
		sb.md5hex, sb.length = hex.EncodeToString(sum[:]), int64(len(f.Data))
		if s.blobs.has(sb.md5hex) {
			return sb, nil
		}
		_, _, err := s.blobs.put(sb.md5hex, bytes.NewReader(f.Data), false)
		return sb, err
	}
	m, n, err := s.blobs.put("", io.LimitReader(f.Reader, f.Size), false)
	if err != nil {
		return sb, fmt.Errorf("store %s: %w", f.Path, err)
	}
	if n != f.Size {
		return sb, fmt.Errorf("store %s: reader gave %d bytes, Size says %d", f.Path, n, f.Size)
	}
	sb.md5hex, sb.length = m, n
	return sb, nil
}

// seedTags normalises tag values to JSON primitives.
func seedTags(tags map[string]any) (map[string]any, error) {
	if len(tags) == 0 {
		return map[string]any{}, nil
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return nil, fmt.Errorf("encode tags: %w", err)
	}
	return parseTags(b)
}

// Seed inserts work items directly (no HTTP) in one transaction and
// returns their ids in order. File contents go to the blob store first.
func (s *Server) Seed(ctx context.Context, items []SeedWorkItem) ([]string, error) {
	type prepared struct {
		it      SeedWorkItem
		tags    map[string]any
		files   []storedBlob
		outputs []storedBlob
		created int64
	}
	preps := make([]prepared, len(items))
	for i, it := range items {
		p := prepared{it: it}
		if err := s.seedDefaults(&p.it); err != nil {
			return nil, fmt.Errorf("seed work item %d: %w", i, err)
		}
		p.created = p.it.Created.UnixNano() / 100 * 100
		var err error
		if p.tags, err = seedTags(it.Tags); err != nil {
			return nil, fmt.Errorf("seed work item %d: %w", i, err)
		}
		for _, f := range it.Files {
			if !safeName(f.Path) {
				return nil, fmt.Errorf("seed work item %d: invalid file name %q", i, f.Path)
			}
			sb, err := s.storeSeedFile(f, p.created)
			if err != nil {
				return nil, fmt.Errorf("seed work item %d: %w", i, err)
			}
			p.files = append(p.files, sb)
		}
		if p.outputs, err = s.storeOutputs(it.Outputs, p.created); err != nil {
			return nil, fmt.Errorf("seed work item %d: %w", i, err)
		}
		preps[i] = p
	}
	ids := make([]string, len(items))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, p := range preps {
			it := p.it
			ids[i] = it.Id
			v := entityValues{name: it.Name, description: it.Description, owner: it.Owner, state: it.State,
				errorMessage: it.ErrorMessage, env: it.EnvironmentName, workerName: it.WorkerName,
				workerVersion: it.WorkerVersion, priority: it.Priority, acID: it.AssetCollectionId}
			if isStarted(it.State) {
				v.hostName, v.workerInstanceID = "localhost", uuid.NewSHA1(uuid.NameSpaceOID, []byte(it.Id)).String()
			}
			if v.acID != "" {
				if err := requireEntity(ctx, tx, kindAssetCollection, v.acID); err != nil {
					return fmt.Errorf("seed work item %d: %w", i, err)
				}
			}
			if err := s.seedRows(ctx, tx, it.Id, kindWorkItem, p.created, v, p.tags, p.files, p.outputs); err != nil {
				return fmt.Errorf("seed work item %d: %w", i, err)
			}
			if err := writePlugins(ctx, tx, it.Id, it.Plugins); err != nil {
				return fmt.Errorf("seed work item %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.pokeWorker()
	return ids, nil
}

// startedStates are the work-item states reached only through a worker,
// which then has a host name and an instance id.
var startedStates = map[string]bool{
	"Commissioned": true, "Validating": true, "Running": true, "Waiting": true, "ResumeRequested": true,
	"Resumed": true, "Canceling": true, "Succeeded": true, "Failed": true,
}

// isStarted reports whether a work item in this state has met a worker.
func isStarted(state string) bool { return startedStates[state] }

// seedDefaults fills and checks a SeedWorkItem's values.
func (s *Server) seedDefaults(it *SeedWorkItem) error {
	if it.Id == "" {
		it.Id = uuid.NewString()
	} else {
		id, err := parseID(it.Id)
		if err != nil {
			return err
		}
		it.Id = id
	}
	if it.Name == "" {
		return fmt.Errorf("work item %s has no name", it.Id)
	}
	if it.State == "" {
		it.State = "Created"
	}
	if _, ok := workItemStates[it.State]; !ok {
		return fmt.Errorf("unknown state %q", it.State)
	}
	if it.Priority == "" {
		it.Priority = defaultPriority
	}
	if _, ok := priorities[it.Priority]; !ok {
		return fmt.Errorf("unknown priority %q", it.Priority)
	}
	if it.Owner == "" {
		it.Owner = s.opts.User
	}
	if it.EnvironmentName == "" {
		it.EnvironmentName = s.opts.Environments[0]
	}
	if it.WorkerName == "" {
		it.WorkerName = "DockerWorker"
	}
	if it.WorkerVersion == "" {
		it.WorkerVersion = "1.0.0.0_RELEASE"
	}
	if it.Created.IsZero() {
		it.Created = fromNanos(s.now())
	}
	if it.AssetCollectionId != "" {
		id, err := parseID(it.AssetCollectionId)
		if err != nil {
			return fmt.Errorf("AssetCollectionId: %w", err)
		}
		it.AssetCollectionId = id
	}
	return nil
}

// storeOutputs stores output files after checking their paths.
func (s *Server) storeOutputs(files []SeedFile, created int64) ([]storedBlob, error) {
	var out []storedBlob
	for _, f := range files {
		clean, ok := cleanRelPath(f.Path)
		if !ok || clean == "" || clean != strings.TrimPrefix(f.Path, "./") {
			return nil, fmt.Errorf("invalid output path %q", f.Path)
		}
		sb, err := s.storeSeedFile(f, created)
		if err != nil {
			return nil, err
		}
		out = append(out, sb)
	}
	return out, nil
}

// seedRows inserts an entity with its tags, own files and outputs.
func (s *Server) seedRows(ctx context.Context, tx *sql.Tx, id, kind string, created int64, v entityValues,
	tags map[string]any, files, outputs []storedBlob) error {
	if err := insertEntity(ctx, tx, id, kind, created, v); err != nil {
		return err
	}
	if err := writeTags(ctx, tx, id, tags); err != nil {
		return err
	}
	for i, f := range files {
		rel, name := "", f.path
		if kind == kindAssetCollection {
			dir, base := path.Split(f.path)
			rel, name = strings.TrimSuffix(dir, "/"), base
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO files(entity_id, seq, file_name, file_type, description,
			relative_path, md5, length) VALUES (?, ?, ?, ?, '', ?, ?, ?)`,
			id, i, name, f.ftype, rel, f.md5hex, f.length); err != nil {
			return fmt.Errorf("add file %q: %w", f.path, err)
		}
	}
	for _, o := range outputs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outputs(entity_id, path, md5, length, mtime, file_id)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(entity_id, path) DO UPDATE SET md5 = excluded.md5,
			length = excluded.length, mtime = excluded.mtime`,
			id, o.path, o.md5hex, o.length, o.mtime, uuid.NewString()); err != nil {
			return fmt.Errorf("add output %q: %w", o.path, err)
		}
	}
	return nil
}

// SeedEntity inserts a suite, experiment, simulation or asset collection
// directly (no HTTP) and returns its id. kind is the class name.
func (s *Server) SeedEntity(ctx context.Context, kind string, e SeedEntity) (string, error) {
	ids, err := s.SeedEntities(ctx, kind, []SeedEntity{e})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// SeedEntities inserts entities of one kind (not WorkItem) directly, in one
// transaction, and returns their ids in order: thousands of simulations of
// an experiment are seeded in about as many milliseconds.
func (s *Server) SeedEntities(ctx context.Context, kind string, es []SeedEntity) ([]string, error) {
	if kind == kindWorkItem || !validKind(kind) {
		return nil, fmt.Errorf("seed entity: unsupported kind %q", kind)
	}
	preps := make([]preparedEntity, len(es))
	for i, e := range es {
		p, err := s.prepareEntity(kind, e)
		if err != nil {
			return nil, fmt.Errorf("seed %s %d: %w", kind, i, err)
		}
		preps[i] = p
	}
	ids := make([]string, len(es))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		parents := map[string]bool{} // parents known to exist
		for i, p := range preps {
			if p.parent != "" && !parents[p.parent] {
				ok, err := entityExists(ctx, tx, parentKinds[kind], p.parent)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("%s %s not found", parentKinds[kind], p.parent)
				}
				parents[p.parent] = true
			}
			p.v.parent = p.parent
			if err := s.seedRows(ctx, tx, p.id, kind, p.created, p.v, p.tags, p.files, p.outputs); err != nil {
				return fmt.Errorf("%s %d: %w", kind, i, err)
			}
			ids[i] = p.id
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", kind, err)
	}
	return ids, nil
}

// preparedEntity is a SeedEntity checked, with its files in the blob store.
type preparedEntity struct {
	id, parent     string
	created        int64
	v              entityValues
	tags           map[string]any
	files, outputs []storedBlob
}

// prepareEntity checks a SeedEntity of kind, fills its defaults and stores
// its files' contents.
func (s *Server) prepareEntity(kind string, e SeedEntity) (preparedEntity, error) {
	p := preparedEntity{id: e.Id, created: s.now()}
	if p.id == "" {
		p.id = uuid.NewString()
	} else if c, err := parseID(p.id); err == nil {
		p.id = c
	} else {
		return p, err
	}
	if !e.Created.IsZero() {
		p.created = e.Created.UnixNano() / 100 * 100
	}
	var err error
	if p.tags, err = seedTags(e.Tags); err != nil {
		return p, err
	}
	p.v = entityValues{name: e.Name, description: e.Description, owner: e.Owner, errorMessage: e.ErrorMessage}
	if p.v.owner == "" {
		p.v.owner = s.opts.User
	}
	if e.ParentId != "" && parentKinds[kind] != "" {
		if p.parent, err = parseID(e.ParentId); err != nil {
			return p, err
		}
	}
	if kind == kindSimulation {
		p.v.state = e.SimulationState
		if p.v.state == "" {
			p.v.state = "Created"
		}
		if _, ok := simulationStates[p.v.state]; !ok {
			return p, fmt.Errorf("unknown simulation state %q", p.v.state)
		}
		for _, f := range e.Files {
			if !safeName(f.Path) {
				return p, fmt.Errorf("invalid file name %q", f.Path)
			}
			sb, err := s.storeSeedFile(f, p.created)
			if err != nil {
				return p, err
			}
			p.files = append(p.files, sb)
		}
		if p.outputs, err = s.storeOutputs(e.Outputs, p.created); err != nil {
			return p, err
		}
	}
	if kind == kindAssetCollection {
		for _, f := range e.Assets {
			if _, ok := cleanRelPath(f.Path); !ok || !safeName(path.Base(f.Path)) {
				return p, fmt.Errorf("invalid asset path %q", f.Path)
			}
			sb, err := s.storeSeedFile(f, p.created)
			if err != nil {
				return p, err
			}
			p.files = append(p.files, sb)
		}
	}
	return p, nil
}
