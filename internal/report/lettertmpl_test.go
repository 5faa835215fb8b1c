package report

import (
	"bytes"
	"testing"
	"text/template"
)

// letterCases are letters that take every branch of the shipped
// templates and of subsetTemplate.
func letterCases() []letterData {
	calls := []letterCall{
		{Date: "2016-01-02", CallID: "c1", Role: "uppringare", Level: "full", What: "hela inspelningen"},
		{Date: "2016-02-03", CallID: "c2", Role: "patient", Level: "metadata", What: "att inspelningen finns"},
		{Date: "", CallID: "", Role: "", Level: "", What: ""},
	}
	var out []letterData
	for _, level := range append(levelNames, "", "other") {
		for _, child := range []bool{false, true} {
			for n := range len(calls) + 1 {
				d := letterData{Controller: "Region Exempel", Contact: "dso@example.org", Region: "Stockholm", Number: n * 7,
					ID: "19121212-1212", Child: child, Level: level, What: "det: " + level, OnGap: n%2 == 1,
					FirstExposure: "2016-01-02 03:04 +01:00", From: "2013-01-01", To: "2019-02-18", Calls: calls[:n]}
				if n > 1 {
					d.OtherRegions = []string{"Sörmland", "Värmland"}
				}
				out = append(out, d)
			}
		}
	}
	return append(out, letterData{})
}

// subsetTemplate uses all of what compileLetter takes.
const subsetTemplate = `{{.Number}} {{.Child}} {{.OnGap}} {{len .ID}} {{len .Calls}} {{len .OtherRegions}}
{{if ne .Level "full"}}not full{{else if and .Child (not .OnGap)}}child{{else}}other{{end}}
{{if eq .Child true}}C{{end}}{{if eq (len .Calls) 2}}two{{end}}{{if .OtherRegions}}others{{end}}{{if not .Calls}}none{{end}}
{{range .OtherRegions}}[{{.}}]{{else}}no others{{end}}
{{range .Calls -}}
  {{.Date}}|{{.CallID}}|{{.Role}}|{{.Level}}|{{.What}}{{if eq .Level "full"}}!{{end}}
{{end}}{{if or .Child .OnGap (eq .Region "Stockholm")}}or{{end}} {{.Region}} {{.What}} {{.Controller}} {{.Contact}} {{.From}}-{{.To}} {{.FirstExposure}} {{"lit"}} {{3}} {{false}}`

// TestLetterProgram renders letters with the compiled templates and with
// text/template: the same bytes. The shipped templates must compile.
func TestLetterProgram(t *testing.T) {
	for name, src := range map[string]string{"sv": letterSV, "en": letterEN, "subset": subsetTemplate} {
		tmpl, err := template.New("letter").Option("missingkey=error").Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		prog, ok := compileLetter(tmpl)
		if !ok {
			t.Errorf("%s: the template does not compile", name)
			continue
		}
		for i, d := range letterCases() {
			var want, got bytes.Buffer
			if err := tmpl.Execute(&want, d); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			prog.run(&got, &d)
			if want.String() != got.String() {
				t.Errorf("%s, case %d: compiled\n%q\ntext/template\n%q", name, i, got.String(), want.String())
			}
		}
	}
}

// TestLetterProgramFallback: templates beyond the subset are left to
// text/template.
func TestLetterProgramFallback(t *testing.T) {
	for _, src := range []string{
		`{{with .ID}}{{.}}{{end}}`,
		`{{.OtherRegions}}`,
		`{{.Calls}}`,
		`{{range $i, $c := .Calls}}{{$i}}{{end}}`,
		`{{$x := .ID}}{{$x}}`,
		`{{printf "%s" .ID}}`,
		`{{.ID | printf "%s"}}`,
		`{{.Nope}}`,
		`{{range .Calls}}{{.Nope}}{{end}}`,
		`{{range .Calls}}{{break}}{{end}}`,
		`{{eq .ID 1}}`,
		`{{if or .ID .Child}}x{{end}}`,
		`{{define "x"}}y{{end}}{{template "x"}}`,
		`{{.}}`,
		`{{index .Calls 0}}`,
		`{{block "b" .}}z{{end}}`,
	} {
		tmpl, err := template.New("letter").Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if _, ok := compileLetter(tmpl); ok {
			t.Errorf("%s: compiled, want text/template", src)
		}
	}
}

func BenchmarkLetter(b *testing.B) {
	tmpl := template.Must(template.New("letter").Option("missingkey=error").Parse(letterSV))
	prog, _ := compileLetter(tmpl)
	d := letterCases()[7]
	for _, mode := range []string{"text/template", "compiled"} {
		b.Run(mode, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if mode == "compiled" {
					prog.run(&buf, &d)
				} else if err := tmpl.Execute(&buf, d); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "letters/s")
		})
	}
}
