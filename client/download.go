package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Download opens a file the server named by URL (an output's Url, a file's
// Uri), re-rooted on the client's host (docs/protocol.md §1.2), and streams
// length bytes from offset off; length < 0 means to the end. A ranged answer
// must be a 206 for exactly that range (§7.3). A body cut short is resumed
// where it stopped with a ranged request, within the call's one attempt
// budget (retry.go); once that is spent, the body reports
// io.ErrUnexpectedEOF: never short data.
func (c *Client) Download(ctx context.Context, fileURL string, off, length int64) (io.ReadCloser, error) {
	u, err := assetURL(c.host, fileURL)
	if err != nil {
		return nil, err
	}
	if off < 0 || length == 0 {
		return nil, fmt.Errorf("download %s: invalid range offset %d length %d", fileURL, off, length)
	}
	d := &download{c: c, ctx: ctx, url: u, pos: off, end: -1, total: -1, a: c.newAttempts()}
	if length > 0 {
		d.end = off + length
	}
	if err := d.open(off > 0 || length > 0); err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	return d, nil
}

// download is the body of a Download: it delivers the bytes [pos, end) and
// opens a ranged request from pos again when a body breaks off.
type download struct {
	c     *Client
	ctx   context.Context
	url   string
	pos   int64 // the next byte to deliver
	end   int64 // one past the last byte to deliver; -1 until known
	total int64 // the file's size when known, else -1
	a     *attempts
	body  io.ReadCloser // nil between a failure and the next request
	cut   error         // why the last body broke off
	err   error         // a failure to report at the next Read
}

// open requests the bytes from pos on, ranged unless the whole file is
// wanted from its start, and checks that the answer is for them.
func (d *download) open(ranged bool) error {
	r := &request{method: http.MethodGet, path: d.url, absolute: true, idempotent: true}
	if ranged {
		spec := "bytes=" + strconv.FormatInt(d.pos, 10) + "-"
		if d.end >= 0 {
			spec += strconv.FormatInt(d.end-1, 10)
		}
		r.header = http.Header{"Range": {spec}}
	}
	resp, err := d.c.openWith(d.ctx, r, d.a)
	if err != nil {
		return err
	}
	if !ranged {
		if resp.ContentLength >= 0 {
			d.end, d.total = resp.ContentLength, resp.ContentLength
		}
		d.body = resp.Body
		return nil
	}
	if resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return fmt.Errorf("download %s: %w: asked for a range, got status %d", d.url, ErrMalformed, resp.StatusCode)
	}
	// A resumed answer is for the same bytes: the file may have grown (a
	// live output), not shrunk below them.
	first, last, total, ok := contentRange(resp.Header)
	if !ok || int64(first) != d.pos || (d.end >= 0 && int64(last) != d.end-1) || (d.total >= 0 && int64(total) < min(d.total, d.end)) {
		resp.Body.Close()
		return fmt.Errorf("download %s: %w: Content-Range %q for bytes %d to %d of %d",
			d.url, ErrMalformed, resp.Header.Get("Content-Range"), d.pos, d.end, d.total)
	}
	d.end, d.total = int64(last)+1, int64(total)
	d.body = resp.Body
	return nil
}

// Read delivers the next bytes, resuming the download after a break.
func (d *download) Read(p []byte) (int, error) {
	for {
		if d.err != nil {
			return 0, d.err
		}
		if d.end >= 0 && d.pos >= d.end {
			return 0, io.EOF
		}
		if d.body == nil {
			if err := d.open(true); err != nil {
				d.err = fmt.Errorf("%w; resuming: %w", d.cut, err)
				continue
			}
		}
		if d.end >= 0 && int64(len(p)) > d.end-d.pos {
			p = p[:d.end-d.pos]
		}
		n, err := d.body.Read(p)
		d.pos += int64(n)
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF && d.end < 0:
			d.end = d.pos // the whole file, of a size unknown until now
			return n, io.EOF
		case err == io.EOF && d.pos == d.end:
			return n, io.EOF
		case err == io.EOF:
			err = io.ErrUnexpectedEOF
		}
		d.body.Close()
		d.body = nil
		d.fail(err)
		if n > 0 {
			return n, nil
		}
	}
}

// fail records a break of the body after pos bytes: the download goes on
// from there if the retry policy allows, else the error stays.
func (d *download) fail(err error) {
	err = fmt.Errorf("download %s: body cut at byte %d of %d: %w", d.url, d.pos, d.end, err)
	d.cut = err
	if d.ctx.Err() != nil {
		d.err = fmt.Errorf("%w (%w)", err, d.ctx.Err())
		return
	}
	if d.end < 0 && d.total < 0 {
		d.err = err // no size: a shorter body cannot be told from a whole one
		return
	}
	if why := d.a.wait(d.ctx, 0); why != nil {
		d.err = giveUp(err, why)
		return
	}
	d.c.log.Debug("resuming a download cut short", "url", d.url, "at", d.pos, "attempt", d.a.made+1, "err", err)
}

// Close ends the download.
func (d *download) Close() error {
	if d.err == nil {
		d.err = errors.New("download: read after close")
	}
	if d.body == nil {
		return nil
	}
	err := d.body.Close()
	d.body = nil
	return err
}
