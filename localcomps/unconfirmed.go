package localcomps

// This file gathers, in one place, the choices made on points that
// docs/protocol.md marks as unconfirmed. Code that depends on a choice
// refers to the constant or comment here.
//
//   - Default fields: when `fields` is absent every basic property is returned;
//     children only when named in `children`.
//   - Filter operators: =, ~ (case-insensitive contains), !=, <, >, <=, >=;
//     conditions are comma-joined and combined with AND; there is no escaping
//     of ',' inside values. String equality is exact (case-sensitive). Enum
//     fields compare by their numeric value for <, >, <=, >=.
//   - Tag filters: `key<op>value` compares the tag's value as text (a string
//     as is, other JSON values as their JSON text, null as ""); a numeric
//     value with <, >, <=, >= compares numerically. `key!=value` matches items
//     that have the tag with another value. A bare `key` matches items that
//     have the tag at all.
//   - Paging: `Content-Range: items <first>-<last>/<total>` is sent only when
//     the answer is a non-empty, partial slice of the result set. A count
//     up to 100000 (the official client's maximum) is honoured in full;
//     the default count is Options.MaxPageSize (100000 unless set lower);
//     default order is DateCreated ascending.
//   - Plugins: a work item's Plugins child is an empty list [] unless the
//     item was seeded with plugins. pyCOMPS builds a two-field
//     WorkerOrPluginKey from each element with a single positional
//     argument, so it can read no element of any shape; real COMPS
//     evidently sends no plugins, and an empty list is what pyCOMPS
//     treats as "none". Seeded plugins go out as {"Name","Version"}
//     objects (the Worker's shape).
//   - Tag values are returned with their JSON type (string, number, bool or
//     null); null-valued tags (flags) are the one place null is sent.
//   - Related entries carry ObjectType, Id and RelationType, and list only
//     the relations going out of the work item; Parents lists the work items
//     pointing at an entity, with the same three keys.
//   - Updates through POST /api/WorkItems may change Name and Description and
//     add Files, in any state.
//   - FileType is not validated beyond being a string.
//   - The output listing is always flat (flatten or not); MD5 is in md5-uuid
//     form.
//   - Zips (POST .../Output?zip=1, POST /api/ZipAssets): the answer's one
//     resource has Id (the zip's), FriendlyName "<entity id>.zip" or
//     "assets.zip", PathFromRoot ".", MimeType application/zip, Length 0
//     (unknown: the archive is made while it is downloaded) and a Url
//     /asset/Zips/{zip id}/{name} that answers for 24 hours. The archive is
//     Deflate-compressed, streamed without Content-Length, ranges not
//     honoured; entries keep the order asked, each file once, named by its
//     path (PathFromRoot/FriendlyName; FileNameForAsset with "/"). An
//     unknown Id answers 404, a ContainerType other than CompressedZip 400,
//     an empty Ids list an empty archive; hpcjobid is ignored (simulations
//     here have no jobs).
//   - Chunked uploads are MD5-verified when the last byte arrives; a mismatch
//     answers 400 and discards the partial upload.
//   - Downloads honour Range on every asset URL (Output, Files, Assets).
//   - Invalid state transitions answer 400 with a ResponseMessage. The default
//     work-item priority is Normal.
//   - Tokens: the static token is of type System; minted tokens are Auth and
//     live 24 hours; fields other than 0, 1, 2, 6, 12 and 13 are empty.
//     Minted tokens are kept in the store (as SHA-256 digests) and stay
//     valid across restarts until they expire (401 "token expired") or are
//     revoked (Server.RevokeTokens, compsfs serve --revoke: 401 "invalid or
//     revoked token"). The static token lives as long as the process that
//     gives it (compsfs serve keeps it in its token file).
//   - Login answers 200 with an empty JSON object as body.
//   - 404 answers carry the usual JSON error body.
//   - Suites and Experiments reject State requests other than those of
//     simulations, and apply them to their simulations that allow them.
//   - Local worker (worker.go, job.go): it runs every WorkItem_Type the
//     same way, `/bin/sh -c <Execution.Command>` in the working directory,
//     in its own process group, with the environment of the server plus
//     COMPS_WORKITEM_ID. An ImageName is noted on StdOut.txt's first line.
//     States: CommissionRequested, Commissioned (claimed, oldest first;
//     working directory made), Running (command started), then Succeeded,
//     Failed or Canceled; HostName, WorkerInstanceId (one per server run)
//     and LastModified are set at each step. Validating, Waiting and
//     Canceling are not used. Error messages: the command's exit
//     ("exit status 3", "signal: killed"), "timed out after 1h0m0s",
//     "no Execution.Command in the work order", "invalid work order: ...",
//     "no work order: ...", "asset collection <id> not found".
//   - Cancel of an item the worker holds: CancelRequested, then SIGTERM to
//     the process group, SIGKILL to what is left 5 s later, outputs
//     ingested, Canceled. A cancel that arrives after the command ended on
//     its own leaves the item's real end (Succeeded or Failed). Background
//     processes still alive when the command's shell exits are stopped the
//     same way.
//   - Restart recovery: items a local worker claimed and did not finish
//     (the server stopped or crashed) are settled when the server opens
//     with a worker: Commissioned ones (command not started) go back to
//     CommissionRequested and run again; Running ones are not re-run (a
//     command may not be safe to run twice) but become Failed with
//     "interrupted: the local COMPS server stopped while the work item was
//     running", their working directory ingested as it was; CancelRequested
//     ones become Canceled. Close does the same to the items it stops.
//     Items never claimed by the worker (seeded, e.g. the demo's running
//     item) are left alone. Processes of a crashed server are not hunted.
//   - Outputs are the working directory's regular files (symbolic links are
//     skipped), ingested when the command starts, every 10 s while it runs
//     (files up to 64 MiB) and at the end; a file the command deleted
//     leaves the listing.

const (
	// defaultPriority is the priority of a work item saved without one.
	defaultPriority = "Normal"
	// tokenGroup is the single group name put in every token's field 12.
	tokenGroup = "LocalGroup"
	// authTokenLifetimeHours is how long a token minted by login lives.
	authTokenLifetimeHours = 24
	// systemTokenLifetimeYears is how far ahead the static token expires.
	systemTokenLifetimeYears = 10
)
