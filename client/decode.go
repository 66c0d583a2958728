package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// decodeJSON decodes one JSON value from body into out as it streams in,
// and requires nothing but white space after it, as json.Unmarshal does.
func decodeJSON(body io.Reader, out any) error {
	dec := json.NewDecoder(body)
	if err := dec.Decode(out); err != nil {
		if err == io.EOF {
			return errors.New("empty answer")
		}
		return err
	}
	return expectEnd(dec)
}

// expectEnd reads the rest of the body and fails if it holds more than
// white space.
func expectEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("data after the answer")
		}
		return err
	}
	return nil
}

// decodeEnvelope decodes a query answer, {"<envelope>": [ ... ], ...}, one
// element at a time as the body streams in (docs/protocol.md §3.2): no copy
// of the raw answer is kept. Other keys are skipped; a null list is empty; a
// missing envelope is an error.
func decodeEnvelope[T any](body io.Reader, envelope string) ([]T, error) {
	dec := json.NewDecoder(body)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var page []T
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if key != envelope || found {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		found = true
		if page, err = decodeList[T](dec); err != nil {
			return nil, fmt.Errorf("%s: %w", envelope, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if err := expectEnd(dec); err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("no %q in the answer", envelope)
	}
	return page, nil
}

// decodeList decodes a JSON array (or null) element by element.
func decodeList[T any](dec *json.Decoder) ([]T, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("want a list, got %v", tok)
	}
	var list []T
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, expectDelim(dec, ']')
}

// expectDelim reads the next token and fails unless it is d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("want %q, got %v", d, tok)
	}
	return nil
}
