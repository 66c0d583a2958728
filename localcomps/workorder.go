package localcomps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxWorkOrderBytes caps the work order the worker reads.
const maxWorkOrderBytes = 4 << 20

// workOrder is the part of WorkOrder.json the local worker uses (protocol
// §12). Every WorkItem_Type is run the same way.
type workOrder struct {
	WorkItemType string        `json:"WorkItem_Type"`
	Execution    workExecution `json:"Execution"`
}

// workExecution is the order's Execution object: the command, and the
// image the command would run in on COMPS (noted, not used).
type workExecution struct {
	ImageName string `json:"ImageName"`
	Command   string `json:"Command"`
}

// errNoWorkOrder reports a work item without a work-order file.
var errNoWorkOrder = errors.New("no work order: the work item has no file of type WorkOrder nor one named WorkOrder.json")

// itemFile is one of a work item's own files or an asset, as stored.
type itemFile struct {
	name, ftype, rel, md5hex string
	length                   int64
}

// findWorkOrder picks the work order among an item's files: the last of
// type WorkOrder, else the last named WorkOrder.json (case-insensitive).
func findWorkOrder(files []itemFile) (itemFile, bool) {
	for _, byType := range []bool{true, false} {
		for i := len(files) - 1; i >= 0; i-- {
			f := files[i]
			if byType && strings.EqualFold(f.ftype, "WorkOrder") || !byType && strings.EqualFold(f.name, "WorkOrder.json") {
				return f, true
			}
		}
	}
	return itemFile{}, false
}

// readWorkOrder reads and decodes the work order stored in the blob.
func (s *Server) readWorkOrder(f itemFile) (workOrder, error) {
	var o workOrder
	if f.length > maxWorkOrderBytes {
		return o, fmt.Errorf("invalid work order: %s has %d bytes, more than %d", f.name, f.length, maxWorkOrderBytes)
	}
	fh, err := os.Open(s.blobs.path(f.md5hex))
	if err != nil {
		return o, fmt.Errorf("read work order %s: %w", f.name, err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxWorkOrderBytes+1))
	if err != nil {
		return o, fmt.Errorf("read work order %s: %w", f.name, err)
	}
	return parseWorkOrder(data)
}

// parseWorkOrder decodes a work order; it must be one JSON object.
func parseWorkOrder(data []byte) (workOrder, error) {
	var o workOrder
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM, as Windows editors write
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return o, errors.New("invalid work order: not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&o); err != nil {
		return workOrder{}, fmt.Errorf("invalid work order: %w", err)
	}
	if dec.More() {
		return workOrder{}, errors.New("invalid work order: data after the JSON object")
	}
	return o, nil
}
