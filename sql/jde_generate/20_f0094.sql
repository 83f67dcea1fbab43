-- F0094 environment master.
INSERT INTO {{system}}.f0094 (lmll, lmdl01) VALUES
('JPD920', 'Production (web)'),
('JPY920', 'Prototype (web)'),
('JDV920', 'Development (web)'),
('JPS920', 'Pristine (web)'),
('PD920',  'Production'),
('PY920',  'Prototype'),
('DV920',  'Development'),
('PS920',  'Pristine');
