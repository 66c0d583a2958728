package localcomps

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"

	"github.com/google/uuid"
)

// saveAssetCollections handles POST /api/AssetCollections (docs/protocol.md §8.3):
// multipart like work items, entity file name AssetCollections. An empty
// array only stores the files sent.
func (s *Server) saveAssetCollections(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.readMultipartSave(r, "AssetCollections")
	if err != nil {
		return err
	}
	defer ms.cleanup()
	objs := ms.objs
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
