"""Every decision, pure: given what was observed or asked, what the kiosk does. No Qt, no
imports of the rest of the project; the default is deny."""
