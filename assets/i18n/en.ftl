# Frontdesk — English. Every message id here exists in zh-CN.ftl too (a test checks).

app-name = Frontdesk
lang-switch-label = Language
lang-switch-to = 中文

## Frame
clock-label = Current time at the site
desk-label = Desk

## Home
home-new-visitor = Sign in a visitor
home-new-visitor-hint = Walk-in or invited guest
onsite-title = On site now
onsite-count = { $count ->
    [0] Nobody signed in
    [one] 1 visitor
   *[other] { $count } visitors
}
onsite-empty = Nobody is signed in at the moment.
onsite-hidden = The list is hidden while the desk is idle.
onsite-show = Show list
onsite-host = Host
onsite-since = In since { $time }
onsite-sign-out = Sign out
onsite-load-failed = The on-site list could not be loaded.
retry = Try again

## Sign-out confirmation
sign-out-title = Sign out { $name }?
sign-out-detail = Visiting { $host } since { $time }.
sign-out-confirm = Yes, sign out
sign-out-cancel = Keep on site
sign-out-done = { $name } is signed out.

## Sign-in form
sign-in-title = Sign in a visitor
field-name = Full name
field-name-hint = As on their ID, in any script
field-company = Company
field-company-hint = Optional
field-host = Visiting
field-host-placeholder = Choose the host…
field-purpose = Purpose of visit
field-purpose-hint = Optional, e.g. meeting, delivery, interview
sign-in-submit = Sign in
sign-in-cancel = Cancel
sign-in-saving = Signing in…
sign-in-done = { $name } is signed in.
host-option = { $name } · { $department } · ext. { $extension }

## Field errors
field-error-required = Please fill this in.
field-error-too_long = Too long: at most { $limit } characters.
field-error-control_characters = Contains invisible or control characters; please retype it.
field-error-unknown_host = This host is not in the directory.
field-error-host_inactive = This host is no longer active; choose another.

## Errors (one per code from the core)
error-validation = Some fields need attention.
error-visit_not_found = That visit no longer exists.
error-already_signed_out = This visit has already been signed out.
error-keyring_unavailable = The system keyring is not available. Frontdesk keeps its keys only there: start or unlock the keyring, then restart Frontdesk.
error-keys_missing = This kiosk's keys are missing from the system keyring. Restore the keyring or re-enrol the kiosk.
error-schema_too_new = The data on this kiosk was written by a newer Frontdesk. Install the newer version or restore a backup.
error-site_config = The site configuration file is invalid.
error-storage = The kiosk could not read or write its data.
error-startup_failed = Frontdesk could not start.
error-no_printer = No badge printer is chosen. Choose one in Settings.
error-print_system_unavailable = The computer's print system is not answering. Check that printing is running, then try again.
error-printer_not_found = The computer no longer knows this printer. Choose another in Settings.
error-print_failed = The printer refused the job. See the detail, fix the printer, then try again.
error-print_job_not_found = That print job no longer exists.
error-print_job_open = This document is still waiting at the printer. Cancel that job or let it finish first.
error-print_job_state = That cannot be done to this print job any more.
error-render_failed = The document could not be drawn. The template may be broken.
error-badge_key_unavailable = This kiosk cannot issue badges: it has no signing key for this site. Ask your administrator to enrol it.
error-unexpected = Something unexpected went wrong.

## Start-up failure screen
fatal-title = Frontdesk cannot start
fatal-detail = Technical detail for your administrator
fatal-retry = Try again
