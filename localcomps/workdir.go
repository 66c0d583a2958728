package localcomps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// assetsFolder is where an item's asset collection appears in its working
// directory (docs/protocol.md §12).
const assetsFolder = "Assets"

// prepareWorkDir (re)creates dir with the work item's own files and, under
// Assets/, its asset collection's files by RelativePath, and returns the
// decoded work order.
func (s *Server) prepareWorkDir(ctx context.Context, id, dir string) (workOrder, error) {
	files, acID, err := s.itemFiles(ctx, id)
	if err != nil {
		return workOrder{}, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return workOrder{}, fmt.Errorf("clear the working directory: %w", err)
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return workOrder{}, fmt.Errorf("create the working directory: %w", err)
	}
	for _, f := range files {
		if err := s.placeFile(ctx, dir, f); err != nil {
			return workOrder{}, err
		}
	}
	if acID != "" {
		assets, err := s.collectionFiles(ctx, acID)
		if err != nil {
			return workOrder{}, err
		}
		for _, f := range assets {
			f.rel = assetsFolder + "/" + f.rel
			if err := s.placeFile(ctx, dir, f); err != nil {
				return workOrder{}, err
			}
		}
	}
	wo, ok := findWorkOrder(files)
	if !ok {
		return workOrder{}, errNoWorkOrder
	}
	return s.readWorkOrder(wo)
}

// itemFiles lists a work item's own files in order, and its asset
// collection id.
func (s *Server) itemFiles(ctx context.Context, id string) ([]itemFile, string, error) {
	var acID string
	err := s.db.QueryRowContext(ctx, `SELECT asset_collection_id FROM entities WHERE id = ?`, id).Scan(&acID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("work item %s not found", id)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read work item %s: %w", id, err)
	}
	files, err := s.storedFiles(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return files, acID, nil
}

// collectionFiles lists an asset collection's files; the collection must
// exist.
func (s *Server) collectionFiles(ctx context.Context, acID string) ([]itemFile, error) {
	ok, err := entityExists(ctx, s.db, kindAssetCollection, acID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("asset collection %s not found", acID)
	}
	return s.storedFiles(ctx, acID)
}

// storedFiles lists the files rows of an entity in order.
func (s *Server) storedFiles(ctx context.Context, id string) ([]itemFile, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT file_name, file_type, relative_path, md5, length FROM files
		WHERE entity_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", id, err)
	}
	defer rows.Close()
	var out []itemFile
	for rows.Next() {
		var f itemFile
		if err := rows.Scan(&f.name, &f.ftype, &f.rel, &f.md5hex, &f.length); err != nil {
			return nil, fmt.Errorf("list files of %s: %w", id, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list files of %s: %w", id, err)
	}
	return out, nil
}

// placeFile copies a stored file to dir/rel/name. Names and folders are
// checked again, so nothing lands outside dir. Blobs are copied, never
// linked: the command may change its files.
func (s *Server) placeFile(ctx context.Context, dir string, f itemFile) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("prepare the working directory: %w", err)
	}
	rel, ok := cleanRelPath(f.rel)
	if !ok || !safeName(f.name) {
		return fmt.Errorf("unsafe file name %q in folder %q", f.name, f.rel)
	}
	dst := filepath.Join(dir, filepath.FromSlash(rel), f.name)
	if err := os.MkdirAll(filepath.Dir(dst), dirMode); err != nil {
		return fmt.Errorf("place %s: %w", filepath.Join(rel, f.name), err)
	}
	if err := copyBlob(s.blobs.path(f.md5hex), dst); err != nil {
		return fmt.Errorf("place %s: %w", filepath.Join(rel, f.name), err)
	}
	return nil
}

// copyBlob copies the blob at src to a new file dst.
func copyBlob(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open blob: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy: %w", err)
	}
	return out.Close()
}
