-- Sinks create databases and tables and write rows.
CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY 'sluice';
GRANT ALL ON *.* TO 'sluice'@'%';
