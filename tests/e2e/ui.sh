#!/bin/sh
# The reader on a real terminal (tmux): keys in, screen and files out.
# Opens a copy of the demo mailbox, moves, reads a message and pages
# through it, lists and saves an attachment, searches and limits, flags
# and deletes then syncs and checks the mbox on disk, resizes, shows help.
. "${top_srcdir:-.}/tests/lib.sh"
session=ui
make_scratch
. "${top_srcdir:-.}/tests/e2e/tmux.sh"
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
demo=$(cd "${top_srcdir:-.}/data" && pwd)/demo.mbox
box="$scratch/demo.mbox"
cp "$demo" "$box"
chmod 600 "$box"
# status: the status line (second to last row).
status() { screen | tail -n 2 | head -n 1; }

mkdir -p "$scratch/home" "$scratch/config/tern" "$scratch/cache"
cd "$scratch" || exit 1
"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 100 -y 30 \
	"env HOME='$scratch/home' XDG_CONFIG_HOME='$scratch/config' \
	 XDG_CACHE_HOME='$scratch/cache' LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	 '$tern' '$box'; echo TERN-EXITED \$?; sleep 60"

# Index.
check "the index shows the demo mailbox" wait_for "Welcome to tern"
s=$(screen)
check "the status line counts the messages" contains "$s" "Msgs:18"
check "the cursor starts on the last message" contains "$(status)" "18/18"
check "wide characters line up (CJK sender)" contains "$s" "田中 健              ("
keys k k
check "k moves up" wait_for "16/18"
keys Up
check "so does Up" wait_for "15/18"
keys Home
check "Home goes to the first message" wait_for "1/18"

# Pager.
keys Enter
check "Enter opens the message" wait_for "Subject: Welcome to tern"
s=$(screen)
check "the pager shows the rendered body" contains "$s" "From: tern"
keys Space
check "Space pages down to the end" wait_for "end 100%"
keys h
check "h shows all the headers" wait_for "Message-ID:"
keys h q
check "q goes back to the index" wait_for "Msgs:18"

# Attachments: message 4 carries budget-2026.csv.
keys Home j j j
wait_for "4/18"
keys v
check "v lists the attachments" wait_for "budget-2026.csv"
check "with their type" contains "$(screen)" "text/csv"
keys s
check "s asks where to save, suggesting the file's name" wait_for "Save to file: budget-2026.csv"
keys C-u
text "$scratch/saved.csv"
keys Enter
check "saving reports the size" wait_for "Saved $scratch/saved.csv"
mkdir "$scratch/ref"
"$tern" show --save-attachments "$scratch/ref" "$demo" 4 >/dev/null 2>&1
check "the saved file is the decoded attachment" cmp -s "$scratch/saved.csv" \
	"$scratch/ref/budget-2026.csv"
keys s
wait_for "Save to file:"
keys C-u
text "$scratch/saved.csv"
keys Enter
check "an existing file is not overwritten without asking" wait_for "File exists, overwrite?"
keys n q
wait_for "Msgs:18"

# Search and limit.
keys Home /
wait_for "Search for:"
text "from:priya"
keys Enter
check "/ finds the next match" wait_for "4/18"
keys l
wait_for "Limit to messages matching:"
text "subject:offsite"
keys Enter
check "l limits the index and counts the matches" wait_for "5 messages match."
check "the status line shows how many are shown" contains "$(status)" "Shown:5"
s=$(screen)
check "only matching messages are listed" lacks "$s" "Welcome to tern"
keys l C-u Enter
check "l with an empty query shows everything again" wait_for "Showing all messages."

# Flag, delete, sync.
keys Home
wait_for " 1/18"
keys F
check "F flags and moves on" wait_for "2/18"
keys d
check "d marks deleted and moves on" wait_for "3/18"
keys '$'
check "\$ asks before purging" wait_for "Purge 1 deleted message?"
keys y
check "sync writes the mailbox" wait_for "deleted messages purged"
check "one message is gone from the file" [ "$(grep -c '^From ' "$box")" -eq 17 ]
check "the deleted message (Alice's venue options) is gone" \
	[ "$(grep -c '^Subject: Spring offsite: venue options' "$box")" -eq 0 ]
check "the flag is in the file as X-Status" sh -c \
	"grep -A30 '^Subject: Welcome to tern' '$box' | grep -q '^X-Status: F'"
check "the status line shows 17 messages" wait_for "Msgs:17"
keys Y
check "Y on an mbox says it keeps no keywords" \
	wait_for "This account keeps no keywords (an IMAP account does)."

# Resize.
"$tmux" -S "$sock" resize-window -t "$session" -x 60 -y 16
sleep 0.5
keys C-l
check "after a resize the status line is on the new last rows" sh -c \
	"'$tmux' -S '$sock' capture-pane -p -t '$session' | sed -n 15p | grep -q 'Msgs:17'"

# Help.
keys '?'
check "? shows the keys of the index" wait_for "next-undeleted"
check "with what they do" contains "$(screen)" "move to the next und"
keys q
wait_for "Msgs:17"
# Another mailbox: a folder of sent mail shows recipients.
cp "$demo" "$scratch/Sent.mbox"
keys c
check "c asks for another mailbox" wait_for "Open mailbox:"
text "$scratch/Sent.mbox"
keys Enter
check "it opens" wait_for "Sent.mbox"
check "a sent folder lists recipients (To ...)" sh -c \
	"'$tmux' -S '$sock' capture-pane -p -t '$session' | grep -q '  To Jordan'"
keys q
check "q quits" wait_for "TERN-EXITED 0"
done_testing
