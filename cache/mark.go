package cache

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The mark of a verified file is the file "verified" in its folder: a
// header line naming the chunk size, then each chunk's CRC-32C in hex, one
// a line. It is written (atomically) once the chunks are durable; a mark
// that does not read back is no mark.
const markerName = "verified"

// markHeader starts a mark; the chunk size follows it.
const markHeader = "compsfs crc32c chunk "

func markPath(dir string) string { return filepath.Join(dir, markerName) }

// writeMark writes the mark of a verified file whose chunks have crcs.
func writeMark(dir string, chunkSize int64, crcs []uint32) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%d\n", markHeader, chunkSize)
	for _, crc := range crcs {
		fmt.Fprintf(&b, "%08x\n", crc)
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix+"mark-*")
	if err != nil {
		return err
	}
	if _, err = tmp.Write(b.Bytes()); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), markPath(dir))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// readMark reads the CRCs of a mark written for nChunks chunks of
// chunkSize bytes; ok is false when it is not such a mark.
func readMark(dir string, chunkSize, nChunks int64) (crcs []uint32, ok bool) {
	data, err := os.ReadFile(markPath(dir))
	if err != nil {
		return nil, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() || sc.Text() != markHeader+strconv.FormatInt(chunkSize, 10) {
		return nil, false
	}
	for sc.Scan() {
		v, err := strconv.ParseUint(strings.TrimSpace(sc.Text()), 16, 32)
		if err != nil || len(sc.Text()) != 8 {
			return nil, false
		}
		crcs = append(crcs, uint32(v))
	}
	return crcs, int64(len(crcs)) == nChunks
}
