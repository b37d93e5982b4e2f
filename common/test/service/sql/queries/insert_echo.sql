-- Records one echoed message; $1 = the message.
INSERT INTO echoes (message) VALUES ($1) RETURNING id
