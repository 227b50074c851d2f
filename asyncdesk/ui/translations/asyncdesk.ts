<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>AccountsSection</name>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your address or id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No accounts yet: add one below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the account, its messages and its password from this profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the server settings, the password or the token of the account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind of account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email (IMAP)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matrix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in to the IMAP server once; nothing is saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dd account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STARTTLS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None (this machine only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAP host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>imap.example.org</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAP security</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>me@example.org</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>if the user name is not your address; several: separated by commas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SHA-256, only for a server with a self-signed certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMTP host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to send replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMTP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMTP security</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAP server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMTP server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Homeserver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://matrix.example.org</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matrix user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>@me:example.org</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password is used once, to log in; the keyring keeps the session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Homeserver:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. team</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>xoxp-…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only for a Slack-compatible server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the account {name}? Its messages and deadlines leave this profile and its password leaves the keyring. Nothing is deleted on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed the account {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{what} must be a number between 1 and 65535, not {text!r}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The IMAP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SMTP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the password to test the connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to {host}:{port}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logged in to {host}:{port}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added the account {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>leave empty to keep the password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>type it to sign in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a new token replaces the old one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the account {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the account {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logging in to {host}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the password to sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logging in to {server}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the new Slack user token (xoxp-…).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the token with Slack…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the password of the account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the password of the Matrix account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the Slack user token (xoxp-…).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AnswerPicker</name>
    <message>
        <source>Insert a saved answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search saved answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type to search titles, tags and text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer&apos;s text and recordings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Insert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insert the answer at the cursor (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insert nothing (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter inserts · Esc closes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No saved answer holds all of these words.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No saved answers yet: save one with Message ▸ Save as Answer… or from a reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags: {tags}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From {sender}, “{subject}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AsyncDesk</name>
    <message>
        <source>Something went wrong (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BreakGlassDialog</name>
    <message>
        <source>Open the inbox anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why open the inbox now? The reason is recorded and counted in your weekly stats.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. a client outage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open inbox</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BubbleDelegate</name>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sender} · {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>{header} · %n reply in thread</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{header} · %n replies in thread</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CalendarSection</name>
    <message>
        <source>Focus time from your calendar: each timed event of an .ics file becomes a deep-work block (from 8 weeks back to a year ahead). Importing the same file again replaces its blocks. All-day events are skipped, and so are events that overlap a window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calendar file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a calendar exported as .ics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;hoose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose calendar file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import calendar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep-work blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported calendars</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No calendar imported yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a calendar file (.ics) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported 1 deep-work block from {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported {count} deep-work blocks from {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 all-day event skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} all-day events skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} left out, overlapping a window (first: {first}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatModel</name>
    <message>
        <source>You, {time}: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sender}, {time}: {text}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a reply… (Ctrl+Enter sends)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the reply (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thread in {room} · {account}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{room} · {account}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CheckinsPanel</name>
    <message>
        <source>Check-ins</source>
        <extracomment>Where the panel remembers what it has shown: run id -&gt; answers seen.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check-in answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Check-ins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answers to your check-ins, and who has not answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No check-in has been asked yet. Add one with: asyncdesk checkin add NAME --days fri --at 15:00 --to …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked {when} · {answered} of {asked} answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not answered yet: {people}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent yet (the mail server was not reached): {people}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not be asked: {person} ({reason})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ComposeWindow</name>
    <message>
        <source>Reply to all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the reply (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close and delete the draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Insert answer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insert a saved answer at the cursor (Ctrl+Shift+I)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as a&amp;nswer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep this text as a saved answer, with tags (Ctrl+Shift+A)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attached files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files sent with the reply (Delete removes one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ttach file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send a file with the reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record &amp;video…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record a short screen or camera video to send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take the selected file off the reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cc:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account has no SMTP server to send with: add one in File ▸ Settings ▸ Accounts (Edit…). The text is kept as a draft.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the demo: replies to its made-up people are not sent. The text is kept as a draft.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draft restored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to save yet: write the answer first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <source>AsyncDesk – error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong inside AsyncDesk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{summary}

The details are in the log:
{log}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AsyncDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AsyncDesk crashed the last time it ran.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What it recorded is in:
{file}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeadlinesPanel</name>
    <message>
        <source>Nothing due. Nice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>… and {count} more (the sidebar&apos;s views list them all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due within 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due before the next window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deadlines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the deadlines: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the deadlines (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{group} ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>due {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply by {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs a reply: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Due</name>
    <message>
        <source>Overdue · {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snoozed until {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replied late</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snoozed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs a reply: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No reply needed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GateView</name>
    <message>
        <source>{days} d {hours} h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{days} d</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in {seconds} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in {duration}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open anyway…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the inbox outside a window; you will be asked why ({keys})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work — notifications are held.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work until {when} — notifications are held.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closed — nothing will interrupt you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your message to {whom} opens with the inbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your {count} new messages open with the inbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a new recipient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No window is scheduled ahead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inbox stays closed until you add one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inbox opens at {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opens {countdown}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InboxModel</name>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot load the inbox: {error}</source>
        <extracomment>Labels were read for these message ids (a list of ints).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot re-read messages: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account} ({kind})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue since {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply by {when}, within 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply by {when}, before the next window ({window})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replied (due {when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replied {replied}, after the deadline (due {when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replied {replied} (due {when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snoozed (due {when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snoozed until {until} (due {when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismissed: no reply needed (was due {when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply by {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>matrix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>slack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InvitationBar</name>
    <message>
        <source>&amp;Join</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{inviter} invited you to {room} · {account}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>{invitation}  (%n more)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Could not answer the invitation: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LabelChipDelegate</name>
    <message>
        <source>Meeting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>AsyncDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to focus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the inbox again until the next window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search (/): words, {operators}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the inbox again from the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Inbox &amp;Anyway…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the inbox outside a window; you will be asked for a reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New Message…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a new email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deadlines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show or hide the deadlines beside the inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weekly &amp;Stats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This week&apos;s and earlier weeks&apos; numbers and charts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply to &amp;all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo the last change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as &amp;Answer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the message&apos;s text as a saved answer, with a title and tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening the demo in its own profile ({folder})…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the profile {folder} (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AsyncDesk cannot open this profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press F5 to try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore the backup of {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restoring the backup…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the schedule: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the schedule (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{problem} The inbox stays open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the inbox (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened outside a window: {reason}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due before the next window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FYI / bulk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every message, newest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{view}  {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That message is no longer in the inbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up to date {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account}: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window open until {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n message</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n messages</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MessageActions</name>
    <message>
        <source>(no subject)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{subject}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs a &amp;reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;No reply needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the &amp;automatic decision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Snooze until the next window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Always needs a reply from this sender</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never needs a reply from this sender</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never for this domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Done (archive)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of the inbox; search still finds it (Z undoes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You will answer it: it gets a reply-by deadline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It needs no answer: no deadline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let your rules and AsyncDesk decide again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No reply needed for this one; it leaves the deadlines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put it back as it was (Ctrl+Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Snooze until the next window ({when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Always needs a reply from {address}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never needs a reply from {address}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never for @{domain}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Archived {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{what}: back to the automatic decision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marked {what} as needing a reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marked {what} as needing no reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismissed {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snoozed {what} until {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snooze</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule removed: always needs a reply from {address}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule removed: never needs a reply from {address}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule removed: always needs a reply for @{domain}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule removed: never needs a reply for @{domain}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Always needs a reply for @{domain}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never needs a reply for @{domain}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>{said} (%n message changed)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{said} (%n messages changed)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Undone: {change}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That did not work (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Undo {action}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>Load &amp;images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch this message&apos;s remote images: the sender may learn you opened it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ttachments…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List this message&apos;s attachments, to save them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the chosen attachment to a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;HTML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching the message from the server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;{subject}&lt;/b&gt;&lt;br&gt;{sender} &amp;lt;{address}&amp;gt; · {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 remote image blocked, so the sender cannot tell you opened this message.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n remote images blocked, so the sender cannot tell you opened this message.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Loading images…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Loaded {loaded} of %n images.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Looking for attachments…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{filename}  ·  {size}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 attachment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n attachments.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No attachments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{size} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{size} KB</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n bytes</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Save the attachment in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NewMessageWindow</name>
    <message>
        <source>New message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bcc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the message (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close without sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cc:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bcc:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No email account here can send: add one with an SMTP server in File ▸ Settings ▸ Accounts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press Escape again to discard this message.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NotificationsSection</name>
    <message>
        <source>Reminder minutes before a window ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VIP senders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ceo@example.com
school@example.org</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sav&amp;e</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save notification settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;tart AsyncDesk in the tray when I log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start AsyncDesk when I log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reminders and notifications only come while AsyncDesk runs. It starts without its window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Publish my availability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Publish my availability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>While the inbox is closed, people who write by email get one automatic answer saying when you will reply; Matrix and Slack show a status with your next window, and Slack does not disturb you during deep work. Everything sent is logged (asyncdesk autoreply show).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save calendar &amp;feed…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the calendar feed of my windows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One reminder before a window ends, if replies are due before the next one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One address per line. Their messages may notify you while the inbox is closed; never during deep work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;minder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;VIP senders:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Published availability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your chat status now: “{status}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When on, your chat status would now be: “{status}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your availability is published.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your availability is no longer published; the chat status is cleared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the calendar of your windows to {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AsyncDesk starts when you log in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AsyncDesk no longer starts when you log in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReplyBySection</name>
    <message>
        <source>Sender</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My promise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default reply promise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save &amp;promise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save promise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I reply to every message within</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other promises for some senders, domains or accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply within</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promise rules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remo&amp;ve rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule applies to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule for whom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule reply promise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dd rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count only &amp;working hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count only working hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A 48-hour promise then means 48 working hours, in the profile&apos;s time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working hours start at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working hours end at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save &amp;hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save working hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>–</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From – to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changing a promise moves the deadlines of messages still waiting for a reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>someone@example.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>example.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an account&apos;s name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now: {now}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promise: {hours} h.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Say whom the rule is for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value}: reply within {hours} h.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed the rule for {value}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick at least one working day.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deadlines count {days} {start}–{end} only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deadlines count every hour.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{said} 1 deadline moved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{said} {count} deadlines moved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SaveAnswerDialog</name>
    <message>
        <source>Save as answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. billing, faq</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Separated by commas: letters a-z, digits, - and _; none is fine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reply as written now is saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message&apos;s text is saved (its preview only, if its body was never fetched), or its whole thread.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the whole t&amp;hread instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every message of this conversation, oldest first, each with who wrote it and when; quoted text and signatures left out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the answer (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save nothing (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Title:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T&amp;ags:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the answer “{title}”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScheduleSection</name>
    <message>
        <source>Time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use this &amp;zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use this time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weekly blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No windows: the inbox is always open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind of block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window (inbox open)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work (no notifications)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block starts at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block ends at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dd block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a weekly block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>–</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From – to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Windows are when the inbox opens; deep-work blocks keep every notification back. A window may not overlap another window or a deep-work block. Skipped windows and days off stay as they are. Office hours, hatched in green, are the group sessions a reply can offer (O in the inbox); they are set with asyncdesk schedule officehours add.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This machine&apos;s zone; choose one to keep it when you travel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick at least one day.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added the {what}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed the {what}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The {what} is now {start}–{end}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a time zone, e.g. Europe/Berlin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Times are now in {zone}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings — AsyncDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Calendar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reply-by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the calendar feed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>my-windows.ics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>iCalendar files (*.ics);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import a calendar</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Does</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatsWindow</name>
    <message>
        <source>HTML page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Response times</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promises kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work and windows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>90th percentile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} d</source>
        <comment>days</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} h</source>
        <comment>hours</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} min</source>
        <comment>minutes</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>under 1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{percent} %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{first_day}–{last_day} {month} {year}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{first_day} {first_month} – {last_day} {last_month} {year}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{first_day} {first_month} {first_year} – {last_day} {last_month} {last_year}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{week} · {days}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weekly Stats — AsyncDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous week (Alt+Left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next week (Alt+Right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any day of the week to show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;This week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Last week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;HTML…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save this week as a HTML page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save this week as a CSV table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save this week as a JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needed a reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Windows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications held</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inbox opened early</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Inbox opened outside a window&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Per account&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save each finished &amp;week&apos;s report in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On the first run after a week ends, its HTML, CSV and JSON reports are written to this folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose &amp;folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No profile is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot count this week (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counted at {time} ({zone}). F5 counts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Days in {zone}. {kept} of %n promises that fell due were kept; {pending} still pending.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No replies this week.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No promise fell due this week.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export {format}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{format} (*.{extension});;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the report: {reason} ({file})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the report: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the report (see the log for details).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder for the weekly reports</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <source>Syncing {account}: {stream} {done}/{total} ({rate}/s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing {account}: {stream} {done}/{total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing {account}: {stream} ({rate}/s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing {account}: {stream}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{reason} (retrying in {seconds} s)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>under a minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in {duration}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inbox open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work · no window scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inbox closed · no window scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inbox open · until {when} ({countdown})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work · next window {when} ({countdown})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inbox closed · next window {when} ({countdown})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{status} · %n due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open AsyncDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open inbox anyway…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the inbox outside a window; you will be asked why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TriageActions</name>
    <message>
        <source>Meeting request — T asks for the topic, O offers office hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First contact — I proposes a short introduction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask for the &amp;topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply asking what it is about and whether writing would do</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offer &amp;office hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Propose an &amp;introduction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply to a first contact proposing a short live introduction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply offering the next office-hours slots, with an invitation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No office hours in your schedule yet: add them with asyncdesk schedule officehours add --days tue,thu --start 15:00 --end 16:00</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VideoCard</name>
    <message>
        <source>&amp;Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the video in your browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Load preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview not loaded — loading it tells {site} you opened this message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load this video&apos;s picture from {service}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Always load previews from {service}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load {service}&apos;s previews as messages are shown, without asking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>video file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video message · {service} · {title}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the preview…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The picture could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try &amp;again</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VideoRecorder</name>
    <message>
        <source>Recording needs Qt Multimedia, which is not installed: pip install &apos;asyncdesk[recording]&apos; (it adds PySide6-Addons).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record a video reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record so&amp;und</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Attach to reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the recording with the reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save to f&amp;older…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep a copy in a folder you choose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record &amp;from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No microphone was found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start recording</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up to {limit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record a&amp;gain (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stop (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop recording</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{left} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The recording could not start: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finishing the recording…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recorded {length} ({size}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The recording failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The picture could not be captured: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{size} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{size} KB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the recording in</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WeekGrid</name>
    <message>
        <source>Week grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag on an empty part of a day to add a block. Left, Right and Tab choose a block; Up and Down move it by 15 minutes; Shift+Up and Shift+Down move its end; Delete removes it. The list of blocks next to the grid does the same by form.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{title}, {days}: {start}–{end}. A group session offered in replies (O); change it with asyncdesk schedule officehours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deep work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{kind}, {days}: {start}–{end}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Welcome to AsyncDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AsyncDesk opens your inbox in a few communication windows a day and keeps the time between them free of notifications. Three choices to start; you can change each of them later in File ▸ Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your day (Monday to Friday)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Three windows: 09:00, 13:00, 16:30 (30 min), deep work between</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Two windows: 09:00 and 15:00 (30 min), nothing else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I&apos;ll set it up myself (the inbox stays open until then)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n hours</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reply within %n hours</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Every message that needs a reply gets a reply-by time this long after it arrives; the deadlines list keeps you to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I reply within:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Not now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close without changing anything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You&apos;re set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;What now?&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add an account…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the &amp;demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email (IMAP), Matrix or Slack; the password goes to your keyring.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A separate profile with realistic email and chat, to look around.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An empty inbox; add accounts any time in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a time zone, e.g. Europe/Berlin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your inbox opens Monday to Friday at 09:00, 13:00 and 16:30, with deep work between.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your inbox opens Monday to Friday at 09:00 and 15:00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your inbox stays open until you add a window in File ▸ Settings ▸ Schedule.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>{day} Times are in {zone}; you promise to reply within %n hours.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>_DaysPicker</name>
    <message>
        <source>{what} on {day}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
