package client

import (
	"encoding/json"
	"errors"
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
