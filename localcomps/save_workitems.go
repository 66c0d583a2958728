package localcomps

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/google/uuid"
)

// fileRef is a validated file reference of a save request.
type fileRef struct {
	name, ftype, desc, rel, md5hex, tagsJSON string
}

// validWorkItem is a validated work-item object of a save request.
type validWorkItem struct {
	id          string // existing item to update; "" = create
	name        *string
	description *string
	owner       string
	worker      wireWorker
	env         string
	priority    string
	acID        string
	tags        map[string]any
	files       []fileRef
}

// saveWorkItems handles POST /api/WorkItems (docs/protocol.md §3.3, §3.4): all
// objects are validated, missing files reported as UntrackedIds, and then
// everything is stored in one transaction.
func (s *Server) saveWorkItems(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.readMultipartSave(r, "WorkItems")
	if err != nil {
		return err
	}
	defer ms.cleanup()
	objs := ms.objs
	items := make([]validWorkItem, len(objs))
	for i := range objs {
		if items[i], err = s.validateWorkItem(r.Context(), &objs[i], userOf(r.Context())); err != nil {
			return prefixError(err, fmt.Sprintf("work item %d: ", i))
		}
	}
	var refs []fileRef
	for _, it := range items {
		refs = append(refs, it.files...)
	}
	return s.commitSave(w, r, ms, refs, len(items), func(tx *sql.Tx, i int) (string, error) {
		return s.storeWorkItem(r.Context(), tx, items[i])
	})
}

// commitSave finishes a multipart save (§3.3, §8.3): referenced files the
// server holds nowhere are answered 400 UntrackedIds, the files sent are
// adopted into the blob store, the n entities are stored by store in one
// transaction (all or nothing), and their ids are answered in order.
func (s *Server) commitSave(w http.ResponseWriter, r *http.Request, ms *multipartSave, refs []fileRef, n int,
	store func(tx *sql.Tx, i int) (string, error)) error {
	if err := s.checkUntracked(ms, refs); err != nil {
		return err
	}
	if err := ms.adoptAll(s.blobs); err != nil {
		return err
	}
	ids := make([]string, n)
	err := s.inTx(r.Context(), func(tx *sql.Tx) error {
		for i := range ids {
			var err error
			if ids[i], err = store(tx, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wireIds{Ids: ids})
	return nil
}

// prefixError adds context to an apiError's message.
func prefixError(err error, prefix string) error {
	if ae, ok := err.(*apiError); ok {
		return &apiError{status: ae.status, msg: prefix + ae.msg, untracked: ae.untracked}
	}
	return fmt.Errorf("%s%w", prefix, err)
}

// checkUntracked answers 400 with UntrackedIds when a referenced file is
// neither in the request nor stored.
func (s *Server) checkUntracked(ms *multipartSave, refs []fileRef) error {
	var missing []string
	seen := map[string]bool{}
	for _, f := range refs {
		if seen[f.md5hex] || ms.has(f.md5hex) || s.blobs.has(f.md5hex) {
			continue
		}
		seen[f.md5hex] = true
		missing = append(missing, md5ToUUID(f.md5hex))
	}
	if len(missing) > 0 {
		return &apiError{status: http.StatusBadRequest,
			msg:       fmt.Sprintf("%d referenced file(s) are not on the server; send their bytes", len(missing)),
			untracked: missing}
	}
	return nil
}

// validateWorkItem checks one object of a work-item save.
func (s *Server) validateWorkItem(ctx context.Context, o *saveEntity, user string) (validWorkItem, error) {
	v := validWorkItem{name: o.Name, description: o.Description}
	var err error
	if v.files, err = validateFiles(o.Files, false); err != nil {
		return v, err
	}
	if o.Id != "" {
		if v.id, err = parseID(o.Id); err != nil {
			return v, errorf(http.StatusBadRequest, "%v", err)
		}
		ok, err := entityExists(ctx, s.db, kindWorkItem, v.id)
		if err != nil {
			return v, err
		}
		if !ok {
			return v, errorf(http.StatusNotFound, "work item %s not found", v.id)
		}
		if o.Name != nil && strings.TrimSpace(*o.Name) == "" {
			return v, errorf(http.StatusBadRequest, "Name must not be empty")
		}
		return v, nil
	}
	if o.Name == nil || strings.TrimSpace(*o.Name) == "" {
		return v, errorf(http.StatusBadRequest, "Name is required")
	}
	if o.Worker == nil || o.Worker.Name == "" || o.Worker.Version == "" {
		return v, errorf(http.StatusBadRequest, "Worker with a Name and a Version is required")
	}
	v.worker = *o.Worker
	if v.env = s.environment(o.EnvironmentName); v.env == "" {
		return v, errorf(http.StatusBadRequest, "EnvironmentName %q is not one of %s", o.EnvironmentName, strings.Join(s.opts.Environments, ", "))
	}
	v.priority = defaultPriority
	if o.Priority != "" {
		if _, ok := priorities[o.Priority]; !ok {
			return v, errorf(http.StatusBadRequest, "unknown Priority %q", o.Priority)
		}
		v.priority = o.Priority
	}
	if o.AssetCollectionId != "" {
		if v.acID, err = parseID(o.AssetCollectionId); err != nil {
			return v, errorf(http.StatusBadRequest, "AssetCollectionId: %v", err)
		}
		ok, err := entityExists(ctx, s.db, kindAssetCollection, v.acID)
		if err != nil {
			return v, err
		}
		if !ok {
			return v, errorf(http.StatusBadRequest, "asset collection %s not found", v.acID)
		}
	}
	v.owner = o.Owner
	if v.owner == "" {
		v.owner = user
	}
	if v.tags, err = parseTags(o.Tags); err != nil {
		return v, err
	}
	return v, nil
}

// environment returns the configured spelling of name, or "" when it is
// not an accepted environment (names compare case-insensitively).
func (s *Server) environment(name string) string {
	for _, e := range s.opts.Environments {
		if strings.EqualFold(e, name) {
			return e
		}
	}
	return ""
}

// validateFiles checks file references; assets may carry a relative path
// and tags.
func validateFiles(in []saveFile, assets bool) ([]fileRef, error) {
	out := make([]fileRef, 0, len(in))
	for _, f := range in {
		if !safeName(f.FileName) {
			return nil, errorf(http.StatusBadRequest, "invalid FileName %q", f.FileName)
		}
		m, err := md5FromUUID(f.MD5Checksum)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "file %q: %v", f.FileName, err)
		}
		ref := fileRef{name: f.FileName, ftype: f.FileType, desc: f.Description, md5hex: m}
		if assets {
			if _, ok := cleanRelPath(f.RelativePath); !ok {
				return nil, errorf(http.StatusBadRequest, "file %q: invalid RelativePath %q", f.FileName, f.RelativePath)
			}
			ref.rel = f.RelativePath
			tags, err := parseTags(f.Tags)
			if err != nil {
				return nil, err
			}
			if len(tags) > 0 {
				b, _ := json.Marshal(tags)
				ref.tagsJSON = string(b)
			}
		}
		out = append(out, ref)
	}
	return out, nil
}

// safeName reports whether s is a usable single path element.
func safeName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00")
}

// cleanRelPath turns a relative folder (either separator) into a clean
// "/"-separated path; it refuses absolute paths and "..".
func cleanRelPath(rel string) (string, bool) {
	rel = strings.ReplaceAll(rel, `\`, "/")
	if strings.HasPrefix(rel, "/") || strings.ContainsRune(rel, 0) {
		return "", false
	}
	var segs []string
	for _, seg := range strings.Split(rel, "/") {
		switch seg {
		case "", ".":
		case "..":
			return "", false
		default:
			segs = append(segs, seg)
		}
	}
	return path.Join(segs...), true
}

// storeWorkItem creates or updates one validated work item inside tx.
func (s *Server) storeWorkItem(ctx context.Context, tx *sql.Tx, v validWorkItem) (string, error) {
	if v.id != "" {
		if err := updateNameDescription(ctx, tx, v.id, v.name, v.description); err != nil {
			return "", err
		}
		if err := s.storeFiles(ctx, tx, v.id, v.files); err != nil {
			return "", err
		}
		return v.id, touch(ctx, tx, v.id)
	}
	id := uuid.NewString()
	now := s.now()
	desc := ""
	if v.description != nil {
		desc = *v.description
	}
	err := insertEntity(ctx, tx, id, kindWorkItem, now, entityValues{name: *v.name, description: desc, owner: v.owner,
		state: "Created", env: v.env, workerName: v.worker.Name, workerVersion: v.worker.Version, priority: v.priority, acID: v.acID})
	if err != nil {
		return "", err
	}
	if err := writeTags(ctx, tx, id, v.tags); err != nil {
		return "", err
	}
	return id, s.storeFiles(ctx, tx, id, v.files)
}

// storeFiles adds files to an entity, replacing a file of the same name
// (and relative path).
func (s *Server) storeFiles(ctx context.Context, tx *sql.Tx, id string, files []fileRef) error {
	for _, f := range files {
		size, err := s.blobs.size(f.md5hex)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE entity_id = ? AND file_name = ? AND relative_path = ?`,
			id, f.name, f.rel); err != nil {
			return fmt.Errorf("replace file %q of %s: %w", f.name, id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO files(entity_id, seq, file_name, file_type, description,
			relative_path, md5, length, tags_json)
			VALUES (?, (SELECT COALESCE(MAX(seq), -1) + 1 FROM files WHERE entity_id = ?), ?, ?, ?, ?, ?, ?, ?)`,
			id, id, f.name, f.ftype, f.desc, f.rel, f.md5hex, size, f.tagsJSON); err != nil {
			return fmt.Errorf("add file %q to %s: %w", f.name, id, err)
		}
	}
	return nil
}
