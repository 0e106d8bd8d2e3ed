from annotator.cli import main

if __name__ == "__main__":  # kept for PyInstaller, which runs this file as a script
    raise SystemExit(main())
