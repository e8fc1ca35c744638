"""Everything between Python and the exam page: the event catalogue, the channel, the scripts."""
