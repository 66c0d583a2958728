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

// validEntity is a validated suite, experiment or simulation of a save
// (docs/protocol.md §9): a new one when id is "", else the changes to an
// existing one.
type validEntity struct {
	kind        string
	id          string
	name        *string
	description *string
	owner       string
	parent      string // SuiteId of an experiment, ExperimentId of a simulation; "" = none or unchanged
	tags        map[string]any
	config      []byte // nil = none or unchanged
	files       []fileRef
}

// parentKinds is the kind of each kind's parent.
var parentKinds = map[string]string{kindExperiment: kindSuite, kindSimulation: kindExperiment}

// validateEntity checks one object of a suite, experiment or simulation
// save. An update may change Name, Description, the parent, Configuration
// and (simulations) add Files; tags change through the tags endpoint.
func validateEntity(ctx context.Context, q queryer, kind string, o *saveEntity, user string) (validEntity, error) {
	v := validEntity{kind: kind, name: o.Name, description: o.Description, owner: o.Owner}
	var err error
	if o.Name != nil && strings.TrimSpace(*o.Name) == "" || o.Name == nil && o.Id == "" {
		return v, errorf(http.StatusBadRequest, "Name is required")
	}
	if v.config, err = parseConfiguration(o.Configuration); err != nil {
		return v, err
	}
	if kind == kindSimulation {
		if v.files, err = validateFiles(o.Files, false); err != nil {
			return v, err
		}
	} else if len(o.Files) > 0 {
		return v, errorf(http.StatusBadRequest, "a %s has no Files", strings.ToLower(kind))
	}
	parentID := map[string]string{kindExperiment: o.SuiteId, kindSimulation: o.ExperimentId}[kind]
	if parentID != "" {
		if v.parent, err = parseID(parentID); err != nil {
			return v, errorf(http.StatusBadRequest, "%sId: %v", parentKinds[kind], err)
		}
		if err := requireEntity(ctx, q, parentKinds[kind], v.parent); err != nil {
			return v, errorf(http.StatusBadRequest, "%s %s not found", strings.ToLower(parentKinds[kind]), v.parent)
		}
	}
	if o.Id != "" {
		if v.id, err = parseID(o.Id); err != nil {
			return v, errorf(http.StatusBadRequest, "%v", err)
		}
		return v, requireEntity(ctx, q, kind, v.id)
	}
	if v.tags, err = parseTags(o.Tags); err != nil {
		return v, err
	}
	if v.owner == "" {
		v.owner = user
	}
	return v, nil
}

// storeEntity creates or updates one validated entity inside tx and
// returns its id.
func (s *Server) storeEntity(ctx context.Context, tx *sql.Tx, v validEntity) (string, error) {
	id := v.id
	if id == "" {
		id = uuid.NewString()
		ev := entityValues{name: *v.name, owner: v.owner, parent: v.parent}
		if v.description != nil {
			ev.description = *v.description
		}
		if v.kind == kindSimulation {
			ev.state = "Created"
		}
		if err := insertEntity(ctx, tx, id, v.kind, s.now(), ev); err != nil {
			return "", err
		}
		if err := writeTags(ctx, tx, id, v.tags); err != nil {
			return "", err
		}
	} else {
		if err := updateNameDescription(ctx, tx, id, v.name, v.description); err != nil {
			return "", err
		}
		if v.parent != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE entities SET parent_id = ? WHERE id = ?`, v.parent, id); err != nil {
				return "", fmt.Errorf("move %s %s: %w", v.kind, id, err)
			}
		}
		if err := touch(ctx, tx, id); err != nil {
			return "", err
		}
	}
	if v.config != nil {
		if err := writeConfiguration(ctx, tx, id, v.config); err != nil {
			return "", err
		}
	}
	return id, s.storeFiles(ctx, tx, id, v.files)
}

// saveJSONEntities handles POST /api/Suites ({"Suites": [...]}) and
// POST /api/Experiments ({"Experiments": [...]}) (docs/protocol.md §9):
// plain JSON, answered {"Ids": [...]} in order, all or nothing.
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
			for i := range objs {
				v, err := validateEntity(r.Context(), tx, kind, &objs[i], userOf(r.Context()))
				if err == nil {
					ids[i], err = s.storeEntity(r.Context(), tx, v)
				}
				if err != nil {
					return prefixError(err, fmt.Sprintf("%s %d: ", strings.ToLower(kind), i))
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
}

// saveSimulations handles POST /api/Simulations (docs/protocol.md §9):
// multipart like a work-item save, entity part file name Simulations, a
// JSON array of simulations with their Files; missing files are answered
// 400 UntrackedIds.
func (s *Server) saveSimulations(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.readMultipartSave(r, "Simulations")
	if err != nil {
		return err
	}
	defer ms.cleanup()
	objs := ms.objs
	sims := make([]validEntity, len(objs))
	var refs []fileRef
	for i := range objs {
		if sims[i], err = validateEntity(r.Context(), s.db, kindSimulation, &objs[i], userOf(r.Context())); err != nil {
			return prefixError(err, fmt.Sprintf("simulation %d: ", i))
		}
		refs = append(refs, sims[i].files...)
	}
	return s.commitSave(w, r, ms, refs, len(sims), func(tx *sql.Tx, i int) (string, error) {
		return s.storeEntity(r.Context(), tx, sims[i])
	})
}

// updateNameDescription sets an entity's name and description where they
// are given (docs/protocol.md §3.4, §9).
func updateNameDescription(ctx context.Context, tx *sql.Tx, id string, name, description *string) error {
	if name != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE entities SET name = ? WHERE id = ?`, *name, id); err != nil {
			return fmt.Errorf("rename %s: %w", id, err)
		}
	}
	if description != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE entities SET description = ? WHERE id = ?`, *description, id); err != nil {
			return fmt.Errorf("update the description of %s: %w", id, err)
		}
	}
	return nil
}
