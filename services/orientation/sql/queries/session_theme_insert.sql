-- Session $1 covers theme $2 (Theme enum name) for $3 minutes.
INSERT INTO session_themes (session_id, theme, minutes) VALUES ($1, $2, $3)
