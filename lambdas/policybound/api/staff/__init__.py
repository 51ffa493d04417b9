"""Staff access: who the caller is (auth) and what each role may call (permissions)."""
