# The .NET runtime settings dynamo-writer runs with, sourced by run.sh and bench/run.sh (deploy/Dockerfile sets
# the same). A value already in the environment wins.
#
# DOTNET_GCgen0size: the gen 0 budget. With concurrent workstation GC the runtime caps it at 6 MB, and an entry
# lives from its read to its acknowledgement across several such collections, so most collections were of gen 1
# and some of gen 2. 12 MB (0xC00000) halved the collections: on 2 cores (bench, 2026-12-04, dynalite) a
# 1,000,000-entry drain took 2.52 CPU s per 100,000 entries against 3.12 and peaked at 190 MB against 188;
# 16 MB took 2.55 s and peaked at 198 MB. It can only be set in the environment (it has no runtimeconfig name).
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0xC00000}
