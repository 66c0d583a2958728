package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// TokenCachePath is where pyCOMPS keeps the token of a host for a local user
// (§1.7): COMPS_Authtoken_<host with ':' and '/' as '_'>_<user>.txt in
// $XDG_RUNTIME_DIR if it exists, else the system temp folder. dir overrides
// the folder when not empty.
func TokenCachePath(dir, normalizedHost, localUser string) string {
	if dir == "" {
		dir = os.TempDir()
		if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				dir = d
			}
		}
	}
	if localUser == "" {
		localUser = LocalUserName()
	}
	h := strings.NewReplacer(":", "_", "/", "_").Replace(normalizedHost)
	return filepath.Join(dir, "COMPS_Authtoken_"+h+"_"+localUser+".txt")
}

// LocalUserName is the OS user name as Python's getpass.getuser finds it:
// $LOGNAME, $USER, $LNAME, $USERNAME, then the passwd entry.
func LocalUserName() string {
	for _, k := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "unknown"
}

// readTokenCache returns the cached token text, "" when there is none.
func readTokenCache(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read token cache: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line), nil
}

// writeTokenCache stores the token as the file's only line, without newline
// (as pyCOMPS writes it), mode 0600, replacing the file atomically.
func writeTokenCache(path, raw string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".compstoken-*")
	if err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write token cache: %w", err)
	}
	if _, err := tmp.WriteString(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("write token cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	return nil
}

// removeIfExists deletes path; a missing file is not an error.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
