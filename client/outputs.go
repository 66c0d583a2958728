package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// OutputFiles lists the files of a work item's or simulation's working
// directory, flattened. GET /asset/<Kind>s/{id}/Output?flatten=1 (§7.1).
// kind is KindWorkItem or KindSimulation.
func (c *Client) OutputFiles(ctx context.Context, kind Kind, id string) ([]OutputFile, error) {
	id, err := CanonicalID(id)
	if err != nil {
		return nil, err
	}
	if kind != KindWorkItem && kind != KindSimulation {
		return nil, fmt.Errorf("output files: %s has no outputs", kind)
	}
	var answer struct {
		Resources *[]OutputFile `json:"Resources"`
	}
	r := &request{method: http.MethodGet, path: "asset/" + kind.Plural() + "/" + id + "/Output",
		query: url.Values{"flatten": {"1"}}, idempotent: true}
	if _, err := c.call(ctx, r, &answer); err != nil {
		return nil, fmt.Errorf("list outputs of %s %s: %w", kind, id, err)
	}
	if answer.Resources == nil {
		return nil, fmt.Errorf("list outputs of %s %s: %w: no Resources", kind, id, ErrMalformed)
	}
	return *answer.Resources, nil
}

// Download opens a file the server named by URL (an output's Url, a file's
// Uri), re-rooted on the client's host (§1.2), and streams length bytes from
// offset off; length < 0 means to the end. A ranged answer must be a 206 for
// exactly that range (§7.3). The body reports io.ErrUnexpectedEOF if the
// server sends fewer bytes than it promised: never short data.
func (c *Client) Download(ctx context.Context, fileURL string, off, length int64) (io.ReadCloser, error) {
	u, err := assetURL(c.host, fileURL)
	if err != nil {
		return nil, err
	}
	if off < 0 || length == 0 {
		return nil, fmt.Errorf("download %s: invalid range offset %d length %d", fileURL, off, length)
	}
	r := &request{method: http.MethodGet, path: u, absolute: true, idempotent: true}
	ranged := off > 0 || length > 0
	if ranged {
		spec := "bytes=" + strconv.FormatInt(off, 10) + "-"
		if length > 0 {
			spec += strconv.FormatInt(off+length-1, 10)
		}
		r.header = http.Header{"Range": {spec}}
	}
	resp, err := c.open(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	want := resp.ContentLength
	if ranged {
		if resp.StatusCode != http.StatusPartialContent {
			resp.Body.Close()
			return nil, fmt.Errorf("download %s: %w: asked for a range, got status %d", u, ErrMalformed, resp.StatusCode)
		}
		first, last, _, ok := contentRange(resp.Header)
		if !ok || int64(first) != off || (length > 0 && int64(last) != off+length-1) {
			resp.Body.Close()
			return nil, fmt.Errorf("download %s: %w: Content-Range %q for offset %d length %d",
				u, ErrMalformed, resp.Header.Get("Content-Range"), off, length)
		}
		want = int64(last) - int64(first) + 1
	}
	return &exactBody{body: resp.Body, left: want}, nil
}

// exactBody checks that a body delivers the number of bytes announced (-1:
// unknown); a shorter one ends in io.ErrUnexpectedEOF, a longer one is cut.
type exactBody struct {
	body io.ReadCloser
	left int64
}

// Read reads from the body, refusing to end early.
func (b *exactBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	if b.left > 0 && int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	if b.left > 0 {
		b.left -= int64(n)
		if err == io.EOF && b.left > 0 {
			err = io.ErrUnexpectedEOF
		}
		if b.left == 0 && err == nil {
			err = io.EOF
		}
	}
	return n, err
}

// Close closes the body.
func (b *exactBody) Close() error { return b.body.Close() }
