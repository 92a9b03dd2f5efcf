-- Calibration: holds ACCESS EXCLUSIVE on clips for a known 1.5 s.
LOCK TABLE clips IN ACCESS EXCLUSIVE MODE;
SELECT pg_sleep(1.5);
