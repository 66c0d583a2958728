// Package localcomps is a local server for the COMPS REST protocol, as the
// official Python client pyCOMPS speaks it (see docs/protocol.md): token
// authentication (tokens kept in the store, valid across restarts),
// queries of up to 100000 entities a page, filters, tags, relations, the
// saves of every kind (multipart for work items, simulations and asset
// collections, JSON for suites and experiments), chunked asset upload,
// output file listings, ranged downloads and zips. Entities live in
// SQLite; file contents live on disk as blobs addressed by their MD5. It
// exists so that compsfs can be used and tested without a real COMPS, and
// it can inject latency, failures, cut-off bodies and bandwidth limits to
// exercise clients. It serves plain HTTP or, with a certificate
// (EnsureSelfSigned makes one), HTTPS; request bodies read into memory are
// bounded (Options.MaxJSONBytes), file parts are spooled to disk.
//
// With Options.Workers > 0 a local worker runs commissioned work items
// (worker.go): each gets a working directory under <Dir>/work/<id> with its
// files and, under Assets/, its asset collection's files; the work order's
// Execution.Command runs there with /bin/sh -c in its own process group,
// whatever the WorkItem_Type, writing StdOut.txt and StdErr.txt; the
// directory's files become the item's outputs.
//
// Download URLs handed out in Url and Uri fields (absolute, built from the
// request's Host) have these paths, all answering Range requests:
//
//	/asset/WorkItems/{id}/Output/<path>          output files (also Simulations)
//	/asset/WorkItems/{id}/Files/<name>           a work item's own files (also Simulations)
//	/asset/AssetCollections/{id}/Assets/<dir>/<name>  asset collection files
//	/asset/Zips/{zip id}/<name>.zip              zips made on request (no Range)
//
// The data folder is private to its owner: folders 0700 and files 0600
// (modes.go), an existing folder is tightened at start, and the commands
// of work items run with umask 077.
//
// Choices on points the protocol document marks as unconfirmed are gathered
// in unconfirmed.go. Section numbers in comments ("§3.3") refer to
// docs/protocol.md.
package localcomps
