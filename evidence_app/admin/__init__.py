"""The ward's administrator: accounts, departments and roles, who provides which checklist item, the audit trail."""
