package localcomps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// entityRow is one row of the entities table plus computed values.
type entityRow struct {
	id, kind, name, description, owner            string
	created, modified                             int64
	state, errorMessage, environmentName          string
	workerName, workerVersion, priority, hostName string
	workerInstanceID, assetCollectionID, parentID string
	wdSize                                        int64
}

// entityColumns is the SELECT list matching scanEntity.
const entityColumns = `e.id, e.kind, e.name, e.description, e.owner, e.created, e.modified,
	e.state, e.error_message, e.environment_name, e.worker_name, e.worker_version, e.priority,
	e.host_name, e.worker_instance_id, e.asset_collection_id, e.parent_id, ` + wdSizeExpr

// scanEntity reads one row selected with entityColumns.
func scanEntity(rows interface{ Scan(...any) error }) (*entityRow, error) {
	var r entityRow
	err := rows.Scan(&r.id, &r.kind, &r.name, &r.description, &r.owner, &r.created, &r.modified,
		&r.state, &r.errorMessage, &r.environmentName, &r.workerName, &r.workerVersion, &r.priority,
		&r.hostName, &r.workerInstanceID, &r.assetCollectionID, &r.parentID, &r.wdSize)
	if err != nil {
		return nil, fmt.Errorf("read entity row: %w", err)
	}
	return &r, nil
}

// fillContext carries what filling an answer needs besides the row.
type fillContext struct {
	s    *Server
	base string // scheme://host of the request, for download URLs
	// tags are the answer's entities' tags, by id, when asked for.
	tags map[string]map[string]any
}

// baseURL is the scheme and host the request came to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// pluralKey is the answer's envelope key for a kind.
func pluralKey(kind string) string { return kind + "s" }

// listEntities handles GET /api/<Kind>s.
func (s *Server) listEntities(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		eq, err := parseEntityQuery(kind, r.URL.Query(), s.opts.MaxPageSize)
		if err != nil {
			return err
		}
		where := "e.kind = ? AND e.deleted = 0"
		args := []any{kind}
		for _, c := range eq.where {
			where += " AND " + c
		}
		args = append(args, eq.args...)
		order := "e.created ASC, e.rowid ASC"
		if eq.order != "" {
			order = eq.order + ", " + order
		}
		q := `SELECT ` + entityColumns + ` FROM entities e WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
		qargs := append(append(append([]any{}, args...), eq.orderArgs...), eq.count, eq.offset)
		out, err := s.queryEntities(r.Context(), q, qargs...)
		if err != nil {
			return err
		}
		if len(out) > 0 && (eq.offset > 0 || len(out) == eq.count) {
			var total int
			if err := s.db.QueryRowContext(r.Context(), `SELECT COUNT(*) FROM entities e WHERE `+where, args...).Scan(&total); err != nil {
				return fmt.Errorf("count %ss: %w", kind, err)
			}
			if eq.offset > 0 || total > len(out) {
				w.Header().Set("Content-Range", fmt.Sprintf("items %d-%d/%d", eq.offset, eq.offset+len(out)-1, total))
			}
		}
		return s.answerEntities(w, r, eq, out)
	}
}

// getEntity handles GET /api/<Kind>s/{id}.
func (s *Server) getEntity(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		eq, err := parseEntityQuery(kind, r.URL.Query(), s.opts.MaxPageSize)
		if err != nil {
			return err
		}
		out, err := s.queryEntities(r.Context(),
			`SELECT `+entityColumns+` FROM entities e WHERE e.id = ? AND e.kind = ? AND e.deleted = 0`, id, kind)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return errorf(http.StatusNotFound, "%s %s not found", kind, id)
		}
		return s.answerEntities(w, r, eq, out)
	}
}

// queryEntities runs a SELECT of entityColumns.
func (s *Server) queryEntities(ctx context.Context, q string, args ...any) ([]*entityRow, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query entities: %w", err)
	}
	defer rows.Close()
	var out []*entityRow
	for rows.Next() {
		row, err := scanEntity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query entities: %w", err)
	}
	return out, nil
}

// answerEntities renders rows with the selected fields and children in
// the {"<Kind>s": [...]} envelope.
func (s *Server) answerEntities(w http.ResponseWriter, r *http.Request, eq *entityQuery, rows []*entityRow) error {
	fc := &fillContext{s: s, base: baseURL(r)}
	if eq.children["Tags"] {
		ids := make([]string, len(rows))
		for i, row := range rows {
			ids[i] = row.id
		}
		var err error
		if fc.tags, err = loadTagsOf(r.Context(), s.db, ids); err != nil {
			return err
		}
	}
	list := make([]*wireEntity, len(rows))
	for i, row := range rows {
		e := &wireEntity{}
		for _, f := range eq.fields {
			f.fill(e, row, fc)
		}
		if err := s.fillChildren(r.Context(), e, row, eq.children, fc); err != nil {
			return err
		}
		list[i] = e
	}
	writeJSON(w, http.StatusOK, map[string]any{pluralKey(eq.kind): list})
	return nil
}

// fillChildren adds the requested children of one entity.
func (s *Server) fillChildren(ctx context.Context, e *wireEntity, row *entityRow, children map[string]bool, fc *fillContext) error {
	if children["Tags"] {
		tags := fc.tags[row.id]
		if tags == nil {
			tags = map[string]any{}
		}
		e.Tags = &tags
	}
	if children["Plugins"] {
		p, err := loadPlugins(ctx, s.db, row.id)
		if err != nil {
			return err
		}
		e.Plugins = &p
	}
	if children["Configuration"] {
		c, err := loadConfiguration(ctx, s.db, row.id)
		if err != nil {
			return err
		}
		e.Configuration = c
	}
	if children["HPCJobs"] {
		e.HPCJobs = &[]struct{}{}
	}
	if children["Files"] || children["Assets"] {
		files, err := s.loadFiles(ctx, row, fc)
		if err != nil {
			return err
		}
		if children["Files"] {
			list := make([]wireFile, 0, len(files))
			for _, f := range files {
				list = append(list, f.file)
			}
			e.Files = &list
		}
		if children["Assets"] {
			list := make([]wireAsset, 0, len(files))
			for _, f := range files {
				list = append(list, f.asset)
			}
			e.Assets = &list
		}
	}
	return nil
}

// tagsBatch is how many entities' tags one query reads (SQLite allows
// 32766 parameters; a page holds up to 100000 entities).
const tagsBatch = 500

// loadTagsOf reads the tags of many entities, a few queries for a whole
// page rather than one per entity; an entity without tags is absent.
func loadTagsOf(ctx context.Context, q queryer, ids []string) (map[string]map[string]any, error) {
	out := make(map[string]map[string]any, len(ids))
	for len(ids) > 0 {
		batch := ids[:min(len(ids), tagsBatch)]
		ids = ids[len(batch):]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT entity_id, key, value_json FROM tags WHERE entity_id IN (?`+
			strings.Repeat(",?", len(batch)-1)+`) ORDER BY entity_id, key`, args...)
		if err != nil {
			return nil, fmt.Errorf("read tags: %w", err)
		}
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				var id, k, v string
				if err := rows.Scan(&id, &k, &v); err != nil {
					return fmt.Errorf("read tags: %w", err)
				}
				if out[id] == nil {
					out[id] = map[string]any{}
				}
				out[id][k] = json.RawMessage(v)
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("read tags: %w", err)
		}
	}
	return out, nil
}

// storedFile is one row of the files table rendered both ways.
type storedFile struct {
	file  wireFile
	asset wireAsset
}

// loadFiles reads an entity's own files (or assets) with download URLs.
func (s *Server) loadFiles(ctx context.Context, row *entityRow, fc *fillContext) ([]storedFile, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT file_name, file_type, description, relative_path, md5, length, tags_json
		FROM files WHERE entity_id = ? ORDER BY seq`, row.id)
	if err != nil {
		return nil, fmt.Errorf("read files of %s: %w", row.id, err)
	}
	defer rows.Close()
	var out []storedFile
	for rows.Next() {
		var name, ftype, desc, rel, md5hex, tagsJSON string
		var length int64
		if err := rows.Scan(&name, &ftype, &desc, &rel, &md5hex, &length, &tagsJSON); err != nil {
			return nil, fmt.Errorf("read files of %s: %w", row.id, err)
		}
		n := length
		sf := storedFile{
			file: wireFile{FileName: name, FileType: ftype, Description: desc, MD5Checksum: md5ToUUID(md5hex),
				Length: &n, Uri: fc.base + fileURLPath(row.kind, row.id, name)},
			asset: wireAsset{FileName: name, RelativePath: rel, MD5Checksum: md5ToUUID(md5hex), Length: &n,
				Uri: fc.base + assetURLPath(row.id, rel, name)},
		}
		if tagsJSON != "" {
			var t map[string]any
			if json.Unmarshal([]byte(tagsJSON), &t) == nil && t != nil {
				sf.asset.Tags = &t
			}
		}
		out = append(out, sf)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read files of %s: %w", row.id, err)
	}
	return out, nil
}

// fileURLPath is the download path of an entity's own file:
// /asset/<Kind>s/{id}/Files/<name>.
func fileURLPath(kind, id, name string) string {
	return "/asset/" + pluralKey(kind) + "/" + id + "/Files/" + url.PathEscape(name)
}

// assetURLPath is the download path of an asset collection's file:
// /asset/AssetCollections/{id}/Assets/<relative path>/<name>.
func assetURLPath(id, rel, name string) string {
	p := "/asset/AssetCollections/" + id + "/Assets/"
	for _, seg := range strings.Split(strings.ReplaceAll(rel, `\`, "/"), "/") {
		if seg != "" {
			p += url.PathEscape(seg) + "/"
		}
	}
	return p + url.PathEscape(name)
}

// outputURLPath is the download path of an output file:
// /asset/<Kind>s/{id}/Output/<path>.
func outputURLPath(kind, id, path string) string {
	p := "/asset/" + pluralKey(kind) + "/" + id + "/Output"
	for _, seg := range strings.Split(path, "/") {
		p += "/" + url.PathEscape(seg)
	}
	return p
}
