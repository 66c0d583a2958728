package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
)

// NewWorkItem is a work item to create, with its files (§3.3). Name, Worker
// and EnvironmentName are required; Owner defaults to the logged-in user.
type NewWorkItem struct {
	Name              string
	Description       string
	Worker            WorkerOrPluginKey
	EnvironmentName   string
	Owner             string
	Priority          Priority
	AssetCollectionID string
	Tags              Tags
	Files             []FileUpload
}

// Save limits of the official client (§3.3).
const (
	maxItemsPerSave = 100
	maxSaveBytes    = 38 << 20 // 38912 KiB, estimated as pyCOMPS does
)

// newWorkItemJSON is a new work item as the entity part carries it: exactly
// the non-null properties, Files always present (§3.3).
type newWorkItemJSON struct {
	Name              string            `json:"Name"`
	Worker            WorkerOrPluginKey `json:"Worker"`
	EnvironmentName   string            `json:"EnvironmentName"`
	Owner             string            `json:"Owner"`
	Description       string            `json:"Description,omitempty"`
	Priority          Priority          `json:"Priority,omitempty"`
	AssetCollectionID string            `json:"AssetCollectionId,omitempty"`
	Tags              Tags              `json:"Tags,omitempty"`
	Files             []newFileJSON     `json:"Files"`
}

// newFileJSON is a file reference in a save: the four fields a client sends.
type newFileJSON struct {
	FileType    string `json:"FileType"`
	Description string `json:"Description"`
	FileName    string `json:"FileName"`
	MD5Checksum string `json:"MD5Checksum"`
}

// saveBatch is one POST /api/WorkItems: the items' JSON and the files whose
// bytes go with it, keyed by md5 hex.
type saveBatch struct {
	objects [][]byte
	send    map[string]FileUpload
	order   []string              // md5s of send, in order of first use
	files   map[string]FileUpload // every file the batch's items list, by md5
	size    int64
}

// SaveWorkItems creates work items with their files and returns their ids in
// order. POST /api/WorkItems, multipart (§3.3): at most 100 items and about
// 38 MiB a request; files over 10 MiB go first through the chunked upload;
// files the server is known to hold (or, above 64 KiB, says it holds) are
// referenced by md5 only. A 400 UntrackedIds answer is met once by sending the
// missing bytes. On error the ids of the batches already saved are returned
// with it. A save is never repeated blindly: a lost answer could mean the
// items exist (callers that must not duplicate tag and check, docs/writing.md).
func (c *Client) SaveWorkItems(ctx context.Context, items []NewWorkItem) ([]string, error) {
	objs := make([]saveObject, len(items))
	var owner string
	for i, it := range items {
		if err := validateNewWorkItem(it); err != nil {
			return nil, fmt.Errorf("work item %d (%q): %w", i, it.Name, err)
		}
		if it.Owner == "" {
			if err := c.loggedInUser(ctx, &owner); err != nil {
				return nil, fmt.Errorf("save work items: %w", err)
			}
		}
		var err error
		if objs[i].js, err = newWorkItemObject(it, owner); err != nil {
			return nil, err
		}
		objs[i].files = it.Files
	}
	ids, err := c.saveMultipart(ctx, "WorkItems", objs)
	if err != nil {
		return ids, fmt.Errorf("save work items: %w", err)
	}
	return ids, nil
}

// loggedInUser sets *user, when empty, to the logged-in user's name: the
// Owner of new entities that name none (pyCOMPS sends its own user name).
func (c *Client) loggedInUser(ctx context.Context, user *string) error {
	if *user != "" {
		return nil
	}
	tok, err := c.CurrentToken(ctx)
	if err != nil {
		return err
	}
	*user = tok.User
	return nil
}

// saveObject is one entity of a multipart save: its JSON object and the
// files it lists.
type saveObject struct {
	js    []byte
	files []FileUpload
}

// saveMultipart saves entities the way work items are saved (§3.3; §9 for
// simulations): files prepared, requests of at most 100 entities and about
// 38 MiB, UntrackedIds met once. entity is the path and the entity part's
// file name ("WorkItems", "Simulations"). It returns the ids saved so far.
func (c *Client) saveMultipart(ctx context.Context, entity string, objs []saveObject) ([]string, error) {
	var all []FileUpload
	for _, o := range objs {
		all = append(all, o.files...)
	}
	if err := c.prepareFiles(ctx, all); err != nil {
		return nil, err
	}
	batches := c.planBatches(objs)
	var ids []string
	for _, b := range batches {
		got, err := c.postBatch(ctx, b, entity)
		if err != nil {
			return ids, err
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

// validateNewWorkItem checks what the server would refuse anyway, so that the
// caller learns it without a request.
func validateNewWorkItem(it NewWorkItem) error {
	switch {
	case strings.TrimSpace(it.Name) == "":
		return errors.New("no name")
	case it.Worker.Name == "" || it.Worker.Version == "":
		return errors.New("no worker name and version")
	case it.EnvironmentName == "":
		return errors.New("no environment")
	}
	return validateFiles(it.Files)
}

// validateFiles checks the files of a new entity.
func validateFiles(files []FileUpload) error {
	for _, f := range files {
		if f.FileName == "" || f.FileName == "." || f.FileName == "/" {
			return fmt.Errorf("file with no name")
		}
		if _, err := MD5Hex(f.MD5); err != nil {
			return fmt.Errorf("file %s: %w", f.FileName, err)
		}
	}
	return nil
}

// prepareFiles uploads the large files in chunks and asks about unknown
// medium ones, so that the saves can reference them by md5.
func (c *Client) prepareFiles(ctx context.Context, files []FileUpload) error {
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.MD5] || c.isKnown(f.MD5) {
			continue
		}
		seen[f.MD5] = true
		switch {
		case f.Size > LargeFileSize:
			if err := c.UploadLarge(ctx, f); err != nil {
				return err
			}
		case f.Size > checkBeforeBytes:
			if _, err := c.CheckFile(ctx, f.MD5); err != nil {
				return err
			}
		}
	}
	return nil
}

// planBatches cuts the entities into requests within the limits, estimating
// the size as pyCOMPS does: 4096 bytes + each object's JSON + 2 per separator
// + 135 + len(content type) + size per file sent. A file's bytes go once per
// request, however many entities of it list the file.
func (c *Client) planBatches(objs []saveObject) []*saveBatch {
	var batches []*saveBatch
	cur := newSaveBatch()
	for _, o := range objs {
		files, grow := c.filesToSend(cur, o.files, len(o.js))
		if len(cur.objects) > 0 && (len(cur.objects) == maxItemsPerSave || cur.size+grow > maxSaveBytes) {
			batches = append(batches, cur)
			cur = newSaveBatch()
			files, grow = c.filesToSend(cur, o.files, len(o.js))
		}
		cur.objects = append(cur.objects, o.js)
		cur.size += grow
		for _, f := range files {
			cur.add(f)
		}
		for _, f := range o.files {
			cur.files[f.MD5] = f
		}
	}
	if len(cur.objects) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// newSaveBatch is an empty request, counting pyCOMPS's fixed overhead.
func newSaveBatch() *saveBatch {
	return &saveBatch{send: map[string]FileUpload{}, files: map[string]FileUpload{}, size: 4096}
}

// add puts a file's bytes into the request.
func (b *saveBatch) add(f FileUpload) {
	if _, dup := b.send[f.MD5]; !dup {
		b.send[f.MD5] = f
		b.order = append(b.order, f.MD5)
	}
}

// filesToSend lists the entity's files whose bytes must go with it in batch
// b, and how much the entity adds to b's estimated size.
func (c *Client) filesToSend(b *saveBatch, listed []FileUpload, jsonLen int) ([]FileUpload, int64) {
	grow := int64(jsonLen + 2)
	var files []FileUpload
	for _, f := range listed {
		if _, dup := b.send[f.MD5]; dup || c.isKnown(f.MD5) || f.Size > LargeFileSize || containsMD5(files, f.MD5) {
			continue
		}
		files = append(files, f)
		grow += 135 + int64(len(partContentType(f.FileName))) + f.Size
	}
	return files, grow
}

// containsMD5 reports whether files has one with this checksum.
func containsMD5(files []FileUpload, md5 string) bool {
	for _, f := range files {
		if f.MD5 == md5 {
			return true
		}
	}
	return false
}

// newWorkItemObject encodes a new work item as the entity part carries it.
func newWorkItemObject(it NewWorkItem, owner string) ([]byte, error) {
	obj := newWorkItemJSON{Name: it.Name, Worker: it.Worker, EnvironmentName: it.EnvironmentName,
		Owner: it.Owner, Description: it.Description, Priority: it.Priority,
		AssetCollectionID: it.AssetCollectionID, Tags: it.Tags, Files: []newFileJSON{}}
	if obj.Owner == "" {
		obj.Owner = owner
	}
	for _, f := range it.Files {
		u, _ := MD5ToUUID(f.MD5) // validated before
		obj.Files = append(obj.Files, newFileJSON{FileType: f.FileType, Description: f.Description,
			FileName: f.FileName, MD5Checksum: u})
	}
	js, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode work item %q: %w", it.Name, err)
	}
	return js, nil
}

// postBatch sends one save request and returns the new ids. The server may
// answer 400 UntrackedIds for files it was expected to hold; then the batch
// is sent once more with those files' bytes (large ones uploaded in chunks).
func (c *Client) postBatch(ctx context.Context, b *saveBatch, entity string) ([]string, error) {
	for try := 0; ; try++ {
		body, contentType, err := b.multipart(entity)
		if err != nil {
			return nil, err
		}
		var answer struct {
			Ids []string `json:"Ids"`
		}
		r := &request{method: http.MethodPost, path: entity, body: body, contentType: contentType}
		_, err = c.call(ctx, r, &answer)
		var apiErr *Error
		if errors.As(err, &apiErr) && len(apiErr.UntrackedIDs) > 0 && try == 0 {
			if ferr := c.resendUntracked(ctx, b, apiErr.UntrackedIDs); ferr != nil {
				return nil, errors.Join(err, ferr)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(answer.Ids) != len(b.objects) {
			return nil, fmt.Errorf("POST %s: %w: %d ids for %d items", entity, ErrMalformed, len(answer.Ids), len(b.objects))
		}
		for md5 := range b.send {
			c.markKnown(md5)
		}
		return answer.Ids, nil
	}
}

// resendUntracked prepares a batch for a second try after UntrackedIds: the
// named files are forgotten as known, small ones added to the request, large
// ones uploaded again in chunks.
func (c *Client) resendUntracked(ctx context.Context, b *saveBatch, untracked []string) error {
	c.forgetKnown(untracked)
	for _, u := range untracked {
		h, err := MD5Hex(u)
		if err != nil {
			return fmt.Errorf("server named an untracked file %q: %w", u, err)
		}
		f, ok := b.files[h]
		if !ok {
			return fmt.Errorf("server named untracked file %s, which this save does not list", u)
		}
		if f.Size > LargeFileSize {
			if err := c.UploadLarge(ctx, f); err != nil {
				return err
			}
			continue
		}
		b.add(f)
	}
	return nil
}

// multipart renders the request body: the entity part (field not_a_file,
// file name = entity, JSON array) then one part per file sent, named by its
// md5 in UUID form (§3.3).
func (b *saveBatch) multipart(entity string) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="not_a_file"; filename="`+entity+`"`)
	h.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	pw.Write([]byte("["))
	pw.Write(bytes.Join(b.objects, []byte(", ")))
	pw.Write([]byte("]"))
	for _, md5 := range b.order {
		f := b.send[md5]
		data, err := f.bytes()
		if err != nil {
			return nil, "", err
		}
		u, _ := MD5ToUUID(md5)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+u+`"; filename="`+escapeQuotes(f.FileName)+`"`)
		h.Set("Content-Type", partContentType(f.FileName))
		pw, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		if _, err := pw.Write(data); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// escapeQuotes makes a file name safe inside a quoted header parameter, as
// mime/multipart does for CreateFormFile.
func escapeQuotes(s string) string {
	return strings.NewReplacer("\\", "\\\\", `"`, "\\\"").Replace(s)
}
