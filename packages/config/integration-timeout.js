// jest ignores `testTimeout` inside `projects`; integration tests talk to real servers and need longer.
jest.setTimeout(60_000);
