package deps
import (
 _ "github.com/hanwen/go-fuse/v2/fs"
 _ "github.com/google/uuid"
 _ "github.com/hashicorp/golang-lru/v2"
 _ "github.com/dustin/go-humanize"
 _ "modernc.org/sqlite"
 _ "golang.org/x/sys/unix"
)
