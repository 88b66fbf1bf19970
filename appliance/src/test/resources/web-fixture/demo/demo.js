window.fixture = true;
