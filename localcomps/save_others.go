package localcomps

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// saveAssetCollections handles POST /api/AssetCollections (protocol §8.3):
// multipart like work items, entity file name AssetCollections. An empty
// array only stores the files sent.
func (s *Server) saveAssetCollections(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.readMultipartSave(r, "AssetCollections")
	if err != nil {
		return err
	}
	defer ms.cleanup()
	var objs []saveEntity
	if err := json.Unmarshal(ms.entityJSON, &objs); err != nil {
		return errorf(http.StatusBadRequest, "the AssetCollections part must be a JSON array: %v", err)
	}
	type validAC struct {
		tags   map[string]any
		assets []fileRef
	}
	acs := make([]validAC, len(objs))
	var refs []fileRef
	for i, o := range objs {
		if o.Id != "" {
			return errorf(http.StatusBadRequest, "asset collection %d: asset collections are immutable; change tags through the tags endpoint", i)
		}
		if acs[i].assets, err = validateFiles(o.Assets, true); err != nil {
			return prefixError(err, fmt.Sprintf("asset collection %d: ", i))
		}
		if acs[i].tags, err = parseTags(o.Tags); err != nil {
			return prefixError(err, fmt.Sprintf("asset collection %d: ", i))
		}
		refs = append(refs, acs[i].assets...)
	}
	return s.commitSave(w, r, ms, refs, len(acs), func(tx *sql.Tx, i int) (string, error) {
		id := uuid.NewString()
		if err := insertEntity(r.Context(), tx, id, kindAssetCollection, s.now(), entityValues{owner: userOf(r.Context())}); err != nil {
			return "", err
		}
		if err := writeTags(r.Context(), tx, id, acs[i].tags); err != nil {
			return "", err
		}
		return id, s.storeFiles(r.Context(), tx, id, acs[i].assets)
	})
}

// entityValues are the columns of a new entity besides id, kind and times.
type entityValues struct {
	name, description, owner, state, errorMessage, env string
	workerName, workerVersion, priority, acID, parent  string
	hostName, workerInstanceID                         string
}

// insertEntity inserts a new entity row.
func insertEntity(ctx context.Context, tx *sql.Tx, id, kind string, now int64, v entityValues) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO entities(id, kind, name, description, owner, created, modified,
		state, error_message, environment_name, worker_name, worker_version, priority, asset_collection_id,
		parent_id, host_name, worker_instance_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, kind, v.name, v.description, v.owner, now, now, v.state, v.errorMessage, v.env,
		v.workerName, v.workerVersion, v.priority, v.acID, v.parent, v.hostName, v.workerInstanceID)
	if err != nil {
		return fmt.Errorf("insert %s %s: %w", kind, id, err)
	}
	return nil
}

// saveJSONEntities handles POST /api/Suites ({"Suites": [...]}) and
// POST /api/Experiments ({"Experiments": [...]}) (protocol §9). An object
// with an Id updates its Name and Description.
func (s *Server) saveJSONEntities(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body map[string]json.RawMessage
		if err := s.readJSON(r, &body); err != nil {
			return err
		}
		raw, ok := body[pluralKey(kind)]
		if !ok {
			return errorf(http.StatusBadRequest, "body must be {%q: [...]}", pluralKey(kind))
		}
		var objs []saveEntity
		if err := json.Unmarshal(raw, &objs); err != nil {
			return errorf(http.StatusBadRequest, "%s must be an array: %v", pluralKey(kind), err)
		}
		ids := make([]string, len(objs))
		err := s.inTx(r.Context(), func(tx *sql.Tx) error {
			for i, o := range objs {
				id, err := s.storeJSONEntity(r.Context(), tx, kind, o, userOf(r.Context()))
				if err != nil {
					return prefixError(err, fmt.Sprintf("%s %d: ", strings.ToLower(kind), i))
				}
				ids[i] = id
			}
			return nil
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, wireIds{Ids: ids})
		return nil
	}
}

// storeJSONEntity validates and stores one suite or experiment.
func (s *Server) storeJSONEntity(ctx context.Context, tx *sql.Tx, kind string, o saveEntity, user string) (string, error) {
	if o.Name != nil && strings.TrimSpace(*o.Name) == "" || o.Name == nil && o.Id == "" {
		return "", errorf(http.StatusBadRequest, "Name is required")
	}
	tags, err := parseTags(o.Tags)
	if err != nil {
		return "", err
	}
	if o.Id != "" {
		id, err := parseID(o.Id)
		if err != nil {
			return "", errorf(http.StatusBadRequest, "%v", err)
		}
		if ok, err := entityExists(ctx, tx, kind, id); err != nil || !ok {
			if err != nil {
				return "", err
			}
			return "", errorf(http.StatusNotFound, "%s %s not found", kind, id)
		}
		if o.Name != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE entities SET name = ? WHERE id = ?`, *o.Name, id); err != nil {
				return "", fmt.Errorf("update %s %s: %w", kind, id, err)
			}
		}
		if o.Description != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE entities SET description = ? WHERE id = ?`, *o.Description, id); err != nil {
				return "", fmt.Errorf("update %s %s: %w", kind, id, err)
			}
		}
		return id, touch(ctx, tx, id)
	}
	v := entityValues{name: *o.Name, owner: o.Owner}
	if o.Description != nil {
		v.description = *o.Description
	}
	if v.owner == "" {
		v.owner = user
	}
	if kind == kindExperiment && o.SuiteId != "" {
		if v.parent, err = parseID(o.SuiteId); err != nil {
			return "", errorf(http.StatusBadRequest, "SuiteId: %v", err)
		}
		if ok, err := entityExists(ctx, tx, kindSuite, v.parent); err != nil || !ok {
			if err != nil {
				return "", err
			}
			return "", errorf(http.StatusBadRequest, "suite %s not found", v.parent)
		}
	}
	id := uuid.NewString()
	if err := insertEntity(ctx, tx, id, kind, s.now(), v); err != nil {
		return "", err
	}
	return id, writeTags(ctx, tx, id, tags)
}
