# Frontdesk — English. Every message id here exists in zh-CN.ftl too (a test checks).

app-name = Frontdesk
lang-switch-label = Language
lang-switch-to = 中文

## Frame
clock-label = Current time at the site
desk-label = Desk:

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
onsite-host = Host: { $name }
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

## PIN prompt (every PIN prompt uses it)
pin-title-admin = Admin PIN
pin-title-supervisor = Supervisor PIN
pin-label = PIN
pin-hint = 6 to 12 digits
pin-submit = OK
pin-cancel = Cancel
pin-clear = Clear
pin-backspace = Delete last digit
pin-wrong = Wrong PIN. { $left ->
    [one] 1 try left before the PIN is locked.
   *[other] { $left } tries left before the PIN is locked.
}
pin-locked = Too many wrong PINs. Try again after { $time }.

## Admin screen
admin-open = Admin
admin-title = Administration
admin-close = Close admin
admin-change-pin-title = Choose a new admin PIN
admin-change-pin-first = This kiosk still uses the first-run PIN. Choose your own before anything else.
admin-new-pin = New PIN
admin-confirm-pin = New PIN again
admin-change-pin-submit = Save PIN
admin-pin-changed = The admin PIN is changed.
admin-tab-hosts = Host directory
admin-tab-invitations = Invitations
admin-tab-watchlist = Watch list
admin-tab-visits = Visits
admin-tab-settings = Settings
admin-tab-audit = Audit log
admin-tab-pin = Admin PIN
audit-verify = Check the chain
audit-intact = The audit log is intact: { $count } entries checked.
audit-broken = The audit log has been altered: entry { $seq } does not match.
audit-empty = No entries yet.
audit-col-time = Time
audit-col-actor = Who
audit-col-action = Action
audit-col-subject = Subject

## Audit actions
audit-action-sign_in = Visitor signed in
audit-action-sign_out = Visitor signed out
audit-action-auto_sign_out = Automatic sign-out
audit-action-badge_print = Badge printed
audit-action-escort_override = Escort rule overridden
audit-action-watchlist_hit = Watch-list match
audit-action-watchlist_false_positive = Watch-list match marked false
audit-action-watchlist_change = Watch list changed
audit-action-export = Visits exported
audit-action-purge = Personal data purged
audit-action-settings_change = Settings changed
audit-action-admin_login = Admin opened
audit-action-pin_failed = Wrong PIN
audit-action-pin_lockout = PIN locked
audit-action-pin_changed = Admin PIN changed
audit-action-hosts_import = Host directory imported
audit-action-host_change = Host changed
audit-action-invitation_created = Invitation created
audit-action-invitation_revoked = Invitation revoked
audit-action-invitation_refused = Invitation refused
audit-action-returning_lookup = Returning visitor looked up

## Field errors
field-error-required = Please fill this in.
field-error-too_long = Too long: at most { $limit } characters.
field-error-control_characters = Contains invisible or control characters; please retype it.
field-error-unknown_host = This host is not in the directory.
field-error-host_inactive = This host is no longer active; choose another.
field-error-pin_format = A PIN is 6 to 12 digits.
field-error-pin_too_simple = Too easy to guess: avoid the first-run PIN, one repeated digit and runs like 123456.
field-error-pin_mismatch = The two PINs differ.

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
error-admin_required = Your admin session has ended. Enter the admin PIN again.
error-pin_change_required = Choose a new admin PIN first.
error-badge_refused = This badge was refused.
error-unexpected = Something unexpected went wrong.

## Start-up failure screen
fatal-title = Frontdesk cannot start
fatal-detail = Technical detail for your administrator
fatal-retry = Try again

## Emergency cards
cards-open = Emergency cards
cards-title = Emergency cards
cards-choose-role = Whose cards? Choose your role.
cards-role-hint = This kiosk remembers the choice.
cards-role = Role
cards-role-current = Role: { $role }
cards-change-role = Change role
cards-close = Close
cards-back = All emergencies
role-receptionist = Receptionist
role-security_guard = Security guard
role-fire_warden = Fire warden
role-first_aider = First aider
role-duty_manager = Duty manager
role-all_staff = All staff
card-when = When:
card-first = Do this first
card-then = Then
card-call = Call
card-say = Tell them:
card-donts = Do not
card-switch = Switch to { $title } if { $condition }.
card-after = Afterwards
card-version = Version { $version } · reviewed { $reviewed } · next review { $due }
card-review-overdue = Review overdue since { $due }: check this card with your safety officer.
card-print = Print card
cards-print-deck = Print all { $role } cards
call-police = Police
call-fire = Fire service
call-ambulance = Ambulance
call-traffic = Traffic police
call-security_control = Security control room
call-duty_manager = Duty manager
call-it_helpdesk = IT helpdesk
## Site hub: errors
error-hub_address = That is not a hub address. Enter it as shown by the hub, e.g. hub.example.org:8443.
error-hub_unreachable = The site hub cannot be reached. Check the address and the network; the kiosk keeps working and tries again.
error-hub_refused = The site hub refused the request.
error-hub_protocol = The answer did not come from a Frontdesk hub this kiosk understands. Check the address and the versions.
error-hub_identity = The hub could not prove it issued this code. The connection may be intercepted; nothing was kept. Tell your administrator.
error-enrolment_code_format = An enrolment code has 16 letters and digits, like K7QM-2XPA-9CWD-4RTB.
error-enrolment_code_invalid = The hub does not accept this code. Check it for typing mistakes, or ask for a new one.
error-enrolment_code_expired = This code has expired (codes last 15 minutes). Ask for a new one.
error-enrolment_code_used = This code has already been used. Each code works once; ask for a new one.
error-device_revoked = The hub has revoked this kiosk. It keeps working on its own but no longer syncs; enrol it again with a new code.
error-site_mismatch = This kiosk belongs to a different site than the hub's code.
error-clock_skew = This kiosk's clock is far ahead of the hub's, so the hub refuses its changes. Set the clock right.
error-not_enrolled = This kiosk is not enrolled at a site hub.
error-hub_managed = The site hub manages this data; change it on the hub.

## Site hub: status and settings
hub-status-label = Sync with the site hub
hub-status-not_enrolled = Standalone
hub-status-connecting = Connecting…
hub-status-syncing = Syncing…
hub-status-waiting = { $count } waiting
hub-status-synced = Synced
hub-status-synced-at = Synced { $time }
hub-status-offline = Offline
hub-status-offline-waiting = Offline · { $count } waiting
hub-status-refused = Sync stopped
hub-status-revoked = Revoked
hub-title = Site hub
hub-state-not_enrolled = Not enrolled: this kiosk works on its own.
hub-state-connecting = Connecting to the site hub…
hub-state-syncing = Exchanging changes with the site hub…
hub-state-synced = Synced: the hub has every change from this kiosk, and this kiosk has every change from the hub.
hub-state-offline = Offline: the hub cannot be reached. This kiosk keeps working and sends its changes when the hub is back.
hub-state-refused = The hub refuses this kiosk's changes; the reason is below.
hub-state-revoked = Revoked: the hub no longer accepts this kiosk. It keeps working on its own; enrol it again with a new code.
hub-intro = To share visits with the other desks of the site, enrol this kiosk at the site hub with a one-time code from your administrator.
hub-intro-again = Enter the hub's address and a new one-time code from your administrator.
hub-address = Hub address
hub-address-hint = As the hub shows it, e.g. hub.example.org:8443
hub-code = Enrolment code
hub-code-hint = 16 letters and digits, valid for 15 minutes
hub-enrol = Enrol
hub-enrolling = Enrolling…
hub-enrol-again = Enrol again
hub-enrol-cancel = Keep the current hub
admin-tab-hub = Site hub
hub-sync-now = Sync now
hub-url = Hub
hub-site = Site
hub-device-name = This kiosk
hub-last-sync = Last synced
hub-never = Not yet
hub-ops-waiting = Changes waiting
hub-fingerprint = Hub certificate (SHA-256)
audit-action-hub_enrolled = Enrolled at the site hub
audit-action-hub_revoked = Revoked by the site hub


## Badges (printed; keep them short)
badge-host = Host
badge-date = Date
badge-valid-until = Valid until
badge-escort-required = ESCORT REQUIRED
badge-type-visitor = VISITOR
badge-type-contractor = CONTRACTOR
badge-type-delivery = DELIVERY
badge-type-interview = INTERVIEW

## Badge screen
badge-title = Badge for { $name }
badge-preview-alt = Badge preview
badge-loading = Drawing the badge…
badge-print = Print badge
badge-reprint = Print again
badge-retry = Try again
badge-cancel-job = Cancel printing
badge-done = Done
badge-open-settings = Printer settings
badge-printer = Printer: { $printer }
badge-no-printer = No badge printer is chosen yet.
print-state-recorded = Sending to the printer…
print-state-sent = At the printer
print-state-completed = Printed
print-state-failed = Not printed
print-state-cancelled = Cancelled
print-state-interrupted = Interrupted: check the printer before printing again
print-waiting = The printer reports: { $detail }. The badge waits in its queue and prints once the printer is back.
print-failure-system_unavailable = The computer's print system is not answering.
print-failure-printer_not_found = The computer does not know this printer.
print-failure-rejected = The printer is not accepting jobs.
print-failure-failed = The printer refused the job.
print-failure-interrupted = The app stopped while sending this job.
print-detail = Detail: { $detail }

## Settings
settings-open = Settings
settings-title = Settings
settings-back = Back
settings-printer = Badge printer
settings-printer-none = No printer
settings-printer-default = { $name } (default)
settings-printer-stopped = { $name } (paused)
settings-printers-failed = The printers could not be listed.
settings-label-size = Label size
label-size-62x100 = 62 × 100 mm label (Brother QL)
label-size-cr80 = CR80 card, 54 × 86 mm
label-size-59x102 = 59 × 102 mm label (DYMO 30256)
settings-saved = Settings saved.
settings-jobs = Recent print jobs
settings-jobs-empty = Nothing printed yet.
settings-badge-key = Badge signing key
settings-badge-key-hint = Public key for the site file of other devices ([badges] public_key):
settings-badge-key-cannot-issue = This kiosk can check badges but not issue them.

## Badge scan
scan-title = Scan a badge
scan-hint = Hold the badge's QR code under the scanner, or type its code and press Enter.
scan-label = Badge code
scan-valid = Valid badge
scan-refused = Badge refused
scan-refusal-malformed = This is not a Frontdesk badge, or it could not be read.
scan-refusal-forged = The signature does not match: this badge is forged or altered.
scan-refusal-wrong_site = This badge belongs to another site ({ $site }).
scan-refusal-expired = This badge has expired.
scan-refusal-not_yet_valid = This badge is not valid yet; check the kiosk's clock.
scan-refusal-signed_out = This visit was signed out; the badge is no longer valid.
scan-visit = Visiting { $host } · in since { $time }
scan-visit-unknown = Genuine badge; the visit has not reached this kiosk yet.
scan-expires = Valid until { $time }
scan-sign-out = Sign out this visitor
scan-dismiss = Close
onsite-badge = Badge
## Evacuation roll call, paper fallback kit, back-entry and backups (issue 8)
audit-action-backup_created = Backup made
audit-action-backup_restored = Backup restored
audit-action-backup_refused = Backup refused
audit-action-evacuation_started = Evacuation started
audit-action-rollcall_marked = Roll call marked
audit-action-evacuation_ended = Evacuation ended
audit-action-rollcall_printed = Roll call printed
audit-action-fallback_kit_printed = Paper fallback kit printed
audit-action-back_entry = Paper sign-in entered afterwards
field-error-in_future = This time is in the future.
field-error-out_before_in = Sign-out must be after sign-in.
field-error-bad_time = Enter a date and time like 2026-05-04 09:30.
error-backup_not_a_backup = This file is not a Frontdesk backup.
error-backup_damaged = This backup is damaged or incomplete. Nothing was changed; choose another backup.
error-backup_foreign = This backup belongs to another site or another kiosk. Nothing was changed.
error-backup_wrong_key = This backup was made with another key. Nothing was changed; restore it with the recovery key from the command line.
error-backup_too_new = This backup was made by a newer Frontdesk. Nothing was changed.
error-backup_in_use = The database is in use by another Frontdesk program. Close it and try again.
error-backup_not_found = That backup no longer exists.
error-backup_failed = The backup could not be made or restored. See the detail; nothing was changed.
error-no_evacuation = No evacuation is in progress.
error-no_document_printer = No document printer (A4) is chosen. Choose one in Settings.
visit-back-entered = Entered from paper
rollcall-status-accounted = Accounted for
rollcall-status-missing = Missing
rollcall-status-refuge = In refuge area
rollcall-status-unmarked = Not checked yet
rollcall-added-later = Added later
rollcall-left-at = Signed out { $time }
rollcall-not-synced = (details not yet received)
rollcall-drill-banner = DRILL — not a real evacuation
rollcall-print-title = Evacuation roll call
rollcall-print-started = Started { $time }
rollcall-print-printed = Printed { $time }
rollcall-print-counts = Total { $total } · Accounted for { $accounted } · Missing { $missing } · In refuge area { $refuge }
rollcall-print-assembly = Assembly point: { $place }
rollcall-print-footer = Tick each person you see at the assembly point. Report anyone missing to the fire marshal at once.
rollcall-col-tick = ✓
rollcall-col-name = Name
rollcall-col-company = Company
rollcall-col-host = Host
rollcall-col-status = Status
rollcall-col-notes = Notes
kit-title = Paper fallback kit
kit-printed = Printed { $time }
kit-emergency-title = Emergency numbers and places
kit-numbers = Numbers to call
kit-places = Places
kit-place-assembly_point = Assembly point
kit-place-refuge_area = Refuge area
kit-place-exits = Exits
kit-place-security_office = Security office
kit-place-first_aid_kit = First-aid kit
kit-place-aed = AED (defibrillator)
kit-place-fire_extinguishers = Fire extinguishers
kit-place-shelter_area = Shelter room
kit-howto-1 = When the kiosk or the network is down, sign visitors in on the paper sheets: write the real times.
kit-howto-2 = Keep the sheets at the desk. In an evacuation, take them and the on-site list to the assembly point.
kit-howto-3 = Afterwards, enter every paper sign-in in Frontdesk (Admin → Enter paper sign-ins); they are marked as entered from paper.
kit-sheet-title = Visitor sign-in sheet (paper)
kit-sheet-date = Date: ____________________    Desk: ____________________    Page ____
kit-sheet-hint = Write clearly. Times as HH:MM. Tick "Badge" when a paper badge was given.
kit-sheet-footer = Enter these visits in Frontdesk when it is back (Admin → Enter paper sign-ins).
kit-col-no = No.
kit-col-name = Name
kit-col-company = Company
kit-col-host = Host
kit-col-purpose = Purpose
kit-col-in = Time in
kit-col-out = Time out
kit-col-badge = Badge
kit-col-signature = Signature
kit-onsite-title = On site now
kit-onsite-count = { $count } people signed in
