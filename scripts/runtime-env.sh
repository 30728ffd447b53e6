#!/usr/bin/env bash
# Sourced by run.sh and bench/run.sh; deploy/Dockerfile sets the same (a test checks they agree): the
# runtime settings the service is run with that only the environment can give.
#
# A 24 MB gen 0 budget. Concurrent workstation GC caps gen 0 at 6 MB, and an entry lives from its read to its
# acknowledgement across several 6 MB collections, so most of them were of gen 1 and the engine copied entries
# it was about to drop. The runtime reads this budget from the environment only (System.GC.Gen0Size and
# GCgen0size in runtimeconfig.json change nothing). A value set by the caller is kept.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x1800000}"
