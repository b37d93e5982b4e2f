-- The child reported with the dossier number whose keyed hash is $1.
SELECT child_id FROM children WHERE dossier_hash = $1
