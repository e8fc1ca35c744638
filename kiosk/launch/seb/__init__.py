"""Safe Exam Browser configurations: .seb files in every container SEB writes, their settings,
and the keys Moodle checks (the Config Key)."""
