"""What the student sees of the kiosk itself: the exam window, the consent screen, the quit
dialog and the camera preview."""
