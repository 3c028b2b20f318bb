#!/bin/sh
# The browser tests' runner (foundry serve --runner 'sh …/fifo-runner.sh'):
# it prints exactly what the test writes, when the test writes it, so a run
# is certainly still running while the test looks at it. It makes the FIFO
# $BROWSER_FIFO_DIR/<project>-<run>.fifo, prints each line written into it
# (lines starting with "ERR " on stderr, without the prefix), and exits 0
# when the writer closes it.
set -u
fifo="$BROWSER_FIFO_DIR/$FOUNDRY_PROJECT-$FOUNDRY_RUN.fifo"
mkfifo "$fifo" || exit 3
trap 'rm -f "$fifo"' EXIT
while IFS= read -r line; do
    case $line in
        "ERR "*) printf '%s\n' "${line#ERR }" >&2 ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$fifo"
