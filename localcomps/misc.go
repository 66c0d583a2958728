package localcomps

import (
	"fmt"
	"net/http"
)

// getEnvironment handles GET /api/Environments/{name} (docs/protocol.md §1.8).
func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request) error {
	name := s.environment(r.PathValue("name"))
	if name == "" {
		return errorf(http.StatusNotFound, "environment %q not found", r.PathValue("name"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"Environments": []map[string]any{{
		"Name":      name,
		"GroupName": tokenGroup,
		"Macros":    map[string]string{},
	}}})
	return nil
}

// listUsers handles GET /api/users?format=json (docs/protocol.md §1.8): the
// configured user and every owner found in the store.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.db.QueryContext(r.Context(),
		`SELECT DISTINCT owner FROM entities WHERE owner != '' AND owner != ? ORDER BY owner`, s.opts.User)
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	type user struct {
		UserName string `json:"UserName"`
	}
	users := []user{{UserName: s.opts.User}}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		users = append(users, user{UserName: u})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"Users": users})
	return nil
}
