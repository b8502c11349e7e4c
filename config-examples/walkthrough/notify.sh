#!/bin/sh
# notify_master/backup/fault of the walkthrough example: one line per transition in a log file
# beside this script (or $VIGIL_NOTIFY_LOG), where a demo or a test can read the sequence.
log=${VIGIL_NOTIFY_LOG:-$(dirname "$0")/notify.log}
case "$1" in
  master|backup|fault) ;;
  *) echo "usage: $0 master|backup|fault" >&2; exit 1 ;;
esac
printf '%s %s\n' "$(date '+%F %T')" "$1" >>"$log"
