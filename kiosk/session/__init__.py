"""The session: its lifecycle (the state machine the page drives), its durable record, the
evidence photos in its folder, the score at its end, and what it asks of its helpers."""
