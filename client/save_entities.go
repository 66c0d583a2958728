package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// NewSuite is a suite to create (§9). Name is required; Owner defaults to
// the logged-in user.
type NewSuite struct {
	Name          string
	Description   string
	Owner         string
	Tags          Tags
	Configuration *Configuration
}

// NewExperiment is an experiment to create (§9), in the suite SuiteID when
// set.
type NewExperiment struct {
	Name          string
	SuiteID       string
	Description   string
	Owner         string
	Tags          Tags
	Configuration *Configuration
}

// NewSimulation is a simulation to create with its files (§9), in the
// experiment ExperimentID when set.
type NewSimulation struct {
	Name          string
	ExperimentID  string
	Description   string
	Owner         string
	Tags          Tags
	Configuration *Configuration
	Files         []FileUpload
}

// EntityUpdate names the changes to a saved suite, experiment or
// simulation; nil leaves a field as it is (§9). Tags change through SetTags.
type EntityUpdate struct {
	Name          *string
	Description   *string
	Configuration *Configuration
}

// newEntityJSON is a new suite, experiment or simulation as a save carries
// it: the non-null properties (§2.2); Files always present for simulations.
type newEntityJSON struct {
	Id            string         `json:"Id,omitempty"`
	Name          *string        `json:"Name,omitempty"`
	SuiteID       string         `json:"SuiteId,omitempty"`
	ExperimentID  string         `json:"ExperimentId,omitempty"`
	Description   *string        `json:"Description,omitempty"`
	Owner         string         `json:"Owner,omitempty"`
	Tags          Tags           `json:"Tags,omitempty"`
	Configuration *Configuration `json:"Configuration,omitempty"`
	Files         *[]newFileJSON `json:"Files,omitempty"`
}

// SaveSuites creates suites and returns their ids in order.
// POST /api/Suites with {"Suites": [...]} (§9).
func (c *Client) SaveSuites(ctx context.Context, suites []NewSuite) ([]string, error) {
	objs := make([]newEntityJSON, len(suites))
	var owner string
	for i, s := range suites {
		objs[i] = newEntityJSON{Name: &s.Name, Description: optional(s.Description), Owner: s.Owner, Tags: s.Tags,
			Configuration: s.Configuration}
		if err := c.completeEntity(ctx, &objs[i], &owner); err != nil {
			return nil, fmt.Errorf("save suites: suite %d: %w", i, err)
		}
	}
	return c.saveJSON(ctx, KindSuite, objs)
}

// SaveExperiments creates experiments and returns their ids in order.
// POST /api/Experiments with {"Experiments": [...]} (§9).
func (c *Client) SaveExperiments(ctx context.Context, exps []NewExperiment) ([]string, error) {
	objs := make([]newEntityJSON, len(exps))
	var owner string
	for i, e := range exps {
		objs[i] = newEntityJSON{Name: &e.Name, SuiteID: e.SuiteID, Description: optional(e.Description), Owner: e.Owner,
			Tags: e.Tags, Configuration: e.Configuration}
		if err := c.completeEntity(ctx, &objs[i], &owner); err != nil {
			return nil, fmt.Errorf("save experiments: experiment %d: %w", i, err)
		}
	}
	return c.saveJSON(ctx, KindExperiment, objs)
}

// SaveSimulations creates simulations with their files and returns their
// ids in order. POST /api/Simulations, multipart like SaveWorkItems with the
// entity part named Simulations and the same limits (§9, §3.3).
func (c *Client) SaveSimulations(ctx context.Context, sims []NewSimulation) ([]string, error) {
	objs := make([]saveObject, len(sims))
	var owner string
	for i, s := range sims {
		obj := newEntityJSON{Name: &s.Name, ExperimentID: s.ExperimentID, Description: optional(s.Description),
			Owner: s.Owner, Tags: s.Tags, Configuration: s.Configuration}
		err := c.completeEntity(ctx, &obj, &owner)
		if err == nil {
			err = validateFiles(s.Files)
		}
		if err != nil {
			return nil, fmt.Errorf("save simulations: simulation %d (%q): %w", i, s.Name, err)
		}
		files := fileRefs(s.Files)
		obj.Files = &files
		if objs[i].js, err = json.Marshal(obj); err != nil {
			return nil, fmt.Errorf("save simulations: encode simulation %d: %w", i, err)
		}
		objs[i].files = s.Files
	}
	ids, err := c.saveMultipart(ctx, "Simulations", objs)
	if err != nil {
		return ids, fmt.Errorf("save simulations: %w", err)
	}
	return ids, nil
}

// UpdateSuite changes a suite's name, description or configuration.
// POST /api/Suites with an object carrying Id (§9).
func (c *Client) UpdateSuite(ctx context.Context, id string, u EntityUpdate) error {
	return c.updateEntity(ctx, KindSuite, id, u)
}

// UpdateExperiment changes an experiment's name, description or
// configuration. POST /api/Experiments with an object carrying Id (§9).
func (c *Client) UpdateExperiment(ctx context.Context, id string, u EntityUpdate) error {
	return c.updateEntity(ctx, KindExperiment, id, u)
}

// UpdateSimulation changes a simulation's name, description or
// configuration. POST /api/Simulations multipart with an object carrying Id
// (§9).
func (c *Client) UpdateSimulation(ctx context.Context, id string, u EntityUpdate) error {
	return c.updateEntity(ctx, KindSimulation, id, u)
}

// completeEntity checks a new suite, experiment or simulation, puts its
// parent ids in canonical form and gives it the logged-in user as Owner
// when it names none (owner caches that user).
func (c *Client) completeEntity(ctx context.Context, obj *newEntityJSON, owner *string) error {
	if obj.Name == nil || strings.TrimSpace(*obj.Name) == "" {
		return errors.New("no name")
	}
	for _, p := range []*string{&obj.SuiteID, &obj.ExperimentID} {
		if *p != "" {
			id, err := CanonicalID(*p)
			if err != nil {
				return fmt.Errorf("parent: %w", err)
			}
			*p = id
		}
	}
	if obj.Owner == "" {
		if err := c.loggedInUser(ctx, owner); err != nil {
			return err
		}
		obj.Owner = *owner
	}
	return nil
}

// optional is nil for "", so that an empty value is not sent (§2.2).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fileRefs lists files as a save carries them (§3.3).
func fileRefs(files []FileUpload) []newFileJSON {
	out := []newFileJSON{}
	for _, f := range files {
		u, _ := MD5ToUUID(f.MD5) // validated before
		out = append(out, newFileJSON{FileType: f.FileType, Description: f.Description, FileName: f.FileName, MD5Checksum: u})
	}
	return out
}

// saveJSON posts suites or experiments as {"<Kind>s": [...]} and checks
// that the answer has one id per object.
func (c *Client) saveJSON(ctx context.Context, kind Kind, objs []newEntityJSON) ([]string, error) {
	body, err := json.Marshal(map[string][]newEntityJSON{kind.Plural(): objs})
	if err != nil {
		return nil, fmt.Errorf("save %ss: %w", strings.ToLower(string(kind)), err)
	}
	var answer struct {
		Ids []string `json:"Ids"`
	}
	if _, err := c.call(ctx, &request{method: http.MethodPost, path: kind.Plural(), body: body}, &answer); err != nil {
		return nil, fmt.Errorf("save %ss: %w", strings.ToLower(string(kind)), err)
	}
	if len(answer.Ids) != len(objs) {
		return nil, fmt.Errorf("save %ss: %w: %d ids for %d objects", strings.ToLower(string(kind)), ErrMalformed, len(answer.Ids), len(objs))
	}
	return answer.Ids, nil
}

// updateEntity sends an update save of one suite, experiment or simulation
// and checks that the answer echoes its id.
func (c *Client) updateEntity(ctx context.Context, kind Kind, id string, u EntityUpdate) error {
	id, err := CanonicalID(id)
	if err != nil {
		return err
	}
	if u.Name != nil && strings.TrimSpace(*u.Name) == "" {
		return fmt.Errorf("update %s %s: empty name", kind, id)
	}
	obj := newEntityJSON{Id: id, Name: u.Name, Description: u.Description, Configuration: u.Configuration}
	var ids []string
	if kind == KindSimulation {
		var js []byte
		if js, err = json.Marshal(obj); err == nil {
			b := newSaveBatch()
			b.objects = [][]byte{js}
			ids, err = c.postBatch(ctx, b, kind.Plural())
		}
	} else {
		ids, err = c.saveJSON(ctx, kind, []newEntityJSON{obj})
	}
	if err != nil {
		return fmt.Errorf("update %s %s: %w", kind, id, err)
	}
	if got, _ := CanonicalID(ids[0]); got != id {
		return fmt.Errorf("update %s %s: %w: the server answered id %q", kind, id, ErrMalformed, ids[0])
	}
	return nil
}
